import Contracts
import Foundation
import Postgres
import ServiceKit
import Synchronization
import TestSupport
import Testing

@testable import OrderService

/// The saga's driver against a real order database and in-process fakes of its peers: every
/// step failing, timing out or answering late, compensations failing and a cancellation
/// arriving mid-saga. (The end-to-end suites run the same paths against the real services.)
@Suite("Order saga driver with fake peers")
struct OrderSagaDriverTests {
    static let unavailable = SagaFailure(.upstreamUnavailable, "the service is unavailable")

    @Test func everyPeerAnsweringConfirmsTheOrder() async throws {
        try await withSagaHarness { harness in
            let store = harness.store()
            let stock = FakeStock(), payments = FakePayments()
            var record = try await harness.place(on: store)
            try await harness.saga(store, stock: stock, payments: payments).drive(&record)
            let state = try await harness.state(of: record.orderID)
            #expect(state.status == "confirmed" && state.payment == "paid" && state.phase == "succeeded" && state.ended)
            #expect(state.items == 2)
            #expect(record.confirmedOrder?.totalAmount == Money(string: "37.40"))  // 30.00 + 8 % tax + 5.00 shipping
            #expect(try await harness.payments(of: record.orderID) == ["succeeded 37.40"])
            #expect(stock.calls.withLock { $0 } == ["reserve"])
            #expect(payments.calls.withLock { $0 } == ["charge 37.40"])
        }
    }

    @Test func aRefusedUserFailsTheOrderBeforeAnythingIsReserved() async throws {
        try await withSagaHarness { harness in
            let store = harness.store()
            let stock = FakeStock(), payments = FakePayments()
            let users = FakeUsers { .failed(SagaFailure(.forbidden, "the user account is suspended"), uncertain: false) }
            var record = try await harness.place(on: store)
            try await harness.saga(store, users: users, stock: stock, payments: payments).drive(&record)
            let state = try await harness.state(of: record.orderID)
            #expect(state.status == "failed" && state.phase == "failed" && state.ended)
            #expect(state.reason == "the user account is suspended")
            #expect(stock.calls.withLock { $0 }.isEmpty && payments.calls.withLock { $0 }.isEmpty)
        }
    }

    @Test func aStockServiceThatTimesOutHasItsReservationReleased() async throws {
        try await withSagaHarness { harness in
            let store = harness.store()
            let stock = FakeStock { _ in .failed(Self.unavailable, uncertain: true) }
            var record = try await harness.place(on: store)
            try await harness.saga(store, stock: stock).drive(&record)
            let state = try await harness.state(of: record.orderID)
            #expect(state.status == "failed" && state.ended && state.items == 0)
            // The request may have reserved before the answer was lost: released, to be sure.
            #expect(stock.calls.withLock { $0 } == ["reserve", "release"])
        }
    }

    @Test func shortStockNeedsNoRelease() async throws {
        try await withSagaHarness { harness in
            let store = harness.store()
            let stock = FakeStock { _ in
                .failed(SagaFailure(.insufficientStock, "not enough stock", details: ["product_id": .number(7)]), uncertain: false)
            }
            var record = try await harness.place(on: store)
            try await harness.saga(store, stock: stock).drive(&record)
            let state = try await harness.state(of: record.orderID)
            #expect(state.status == "failed" && state.ended && state.reason == "not enough stock")
            #expect(stock.calls.withLock { $0 } == ["reserve"])
            #expect(record.state.failure?.code == "insufficient_stock")
        }
    }

    @Test func aDeclinedChargeReleasesTheStockAndRefundsNothing() async throws {
        try await withSagaHarness { harness in
            let store = harness.store()
            let stock = FakeStock()
            let payments = FakePayments { _ in FakePayments.outcome(approved: false) }
            var record = try await harness.place(on: store)
            try await harness.saga(store, stock: stock, payments: payments).drive(&record)
            let state = try await harness.state(of: record.orderID)
            #expect(state.status == "failed" && state.payment == "failed" && state.ended)
            #expect(try await harness.payments(of: record.orderID) == ["failed 37.40"])
            #expect(stock.calls.withLock { $0 } == ["reserve", "release"])
            #expect(payments.calls.withLock { $0 } == ["charge 37.40"])
        }
    }

    @Test func aChargeWithoutAnAnswerIsCompensated() async throws {
        try await withSagaHarness { harness in
            let store = harness.store()
            let stock = FakeStock()
            let payments = FakePayments { _ in throw UnexpectedFakeAnswer() }
            var record = try await harness.place(on: store)
            try await harness.saga(store, stock: stock, payments: payments).drive(&record)
            let state = try await harness.state(of: record.orderID)
            #expect(state.status == "failed" && state.ended && state.reason == "the payment processor is unavailable")
            // No charge is known to have succeeded, so there is nothing to refund.
            #expect(payments.calls.withLock { $0 } == ["charge 37.40"])
            #expect(stock.calls.withLock { $0 } == ["reserve", "release"])
        }
    }

    @Test func aReleaseThatFailsWaitsForTheNextDrive() async throws {
        try await withSagaHarness { harness in
            let store = harness.store()
            let stock = FakeStock()
            stock.releaseFails.withLock { $0 = true }
            let payments = FakePayments { _ in FakePayments.outcome(approved: false) }
            var record = try await harness.place(on: store)
            let saga = harness.saga(store, stock: stock, payments: payments)
            try await saga.drive(&record)
            var state = try await harness.state(of: record.orderID)
            // The client has its answer; the saga stays open until the stock is back.
            #expect(state.status == "failed" && state.phase == "compensating" && !state.ended)
            #expect(record.state.failure?.code == "payment_declined")

            stock.releaseFails.withLock { $0 = false }
            var reloaded = try #require(try await store.load(record.orderID))
            try await saga.drive(&reloaded)
            state = try await harness.state(of: record.orderID)
            #expect(state.phase == "failed" && state.ended)
            #expect(stock.calls.withLock { $0 } == ["reserve", "release failed", "release"])
        }
    }

    @Test func anAnswerArrivingAfterTheLeaseWasTakenOverWritesNothing() async throws {
        try await withSagaHarness { harness in
            let first = harness.store(lease: .milliseconds(200))
            let (claimed, claim) = AsyncStream.makeStream(of: Void.self)
            // The first process's Product service answers only once another process has taken the saga over.
            let lateStock = FakeStock { items in
                for await _ in claimed { break }
                return FakeStock.reserveAll(items)
            }
            let record = try await harness.place(on: first)
            let stalled = Task { [record] in
                var stalledRecord = record
                try await harness.saga(first, stock: lateStock).drive(&stalledRecord)
            }
            let second = harness.store(lease: .seconds(30))
            let deadline = ContinuousClock.now + .seconds(20)
            var taken: [Int] = []
            while taken.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                taken = try await second.claimExpired(limit: 10)
            }
            #expect(taken == [record.orderID])
            claim.yield()
            await #expect(throws: SagaStore.LeaseLost.self) { try await stalled.value }

            var recovered = try #require(try await second.load(record.orderID))
            try await harness.saga(second).drive(&recovered)
            let state = try await harness.state(of: record.orderID)
            #expect(state.status == "confirmed" && state.ended)
            #expect(state.items == 2)  // the stalled process's items were never written
            #expect(try await harness.payments(of: record.orderID) == ["succeeded 37.40"])
        }
    }

    @Test func aCancellationArrivingMidSagaReleasesTheStock() async throws {
        try await withSagaHarness { harness in
            let store = harness.store()
            let order = OrderIDBox()
            let payments = FakePayments()
            // The customer cancels while the stock is being reserved.
            let stock = FakeStock { items in
                if let id = order.id.withLock({ $0 }) {
                    _ = try? await store.startCancel(id, by: Principal(uid: "user-1", roles: ["customer"]))
                }
                return FakeStock.reserveAll(items)
            }
            var record = try await harness.place(on: store)
            order.id.withLock { $0 = record.orderID }
            try await harness.saga(store, stock: stock, payments: payments).drive(&record)
            let state = try await harness.state(of: record.orderID)
            #expect(state.status == "cancelled" && state.phase == "cancelled" && state.ended)
            #expect(stock.calls.withLock { $0 } == ["reserve", "release"])
            #expect(payments.calls.withLock { $0 }.isEmpty)
            #expect(record.state.phase == .ended(.cancelled))
        }
    }
}
