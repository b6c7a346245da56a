import Contracts
import Foundation
import Postgres
import Primitives
import Testing

@testable import OrderService

@Suite("Order totals")
struct OrderTotalsTests {
    func money(_ text: String) -> Money { Money(string: text)! }

    @Test func totalsFollowTheContract() {
        let totals = OrderTotals(
            items: [(money("19.99"), 3), (money("0.05"), 1)], taxRate: Decimal(string: "0.08")!, shipping: .standard)
        #expect(totals.lines[0].subtotal == money("59.97"))
        #expect(totals.lines[0].taxAmount == money("4.80"))  // 4.7976 rounds up
        #expect(totals.lines[1].taxAmount == money("0.00"))  // 0.004 rounds down
        #expect(totals.lines[0].finalPrice == money("64.77"))
        #expect(totals.subtotal == money("60.02"))
        #expect(totals.taxAmount == money("4.80"))
        #expect(totals.shippingAmount == money("5.00"))
        #expect(totals.discountAmount == money("0.00"))
        #expect(totals.totalAmount == money("69.82"))
    }

    @Test func halfACentRoundsUp() {
        // 0.25 × 0.02 = 0.005 → 0.01
        let totals = OrderTotals(items: [(money("0.25"), 1)], taxRate: Decimal(string: "0.02")!, shipping: .express)
        #expect(totals.taxAmount == money("0.01"))
        #expect(OrderTotals.roundHalfUp(Decimal(string: "62.5")!) == 63)
        #expect(OrderTotals.roundHalfUp(Decimal(string: "62.4999")!) == 62)
    }

    @Test func standardShippingIsFreeFromAHundred() {
        #expect(OrderTotals(items: [(money("99.99"), 1)], taxRate: 0, shipping: .standard).shippingAmount == money("5.00"))
        #expect(OrderTotals(items: [(money("100.00"), 1)], taxRate: 0, shipping: .standard).shippingAmount == money("0.00"))
        #expect(OrderTotals(items: [(money("100.00"), 1)], taxRate: 0, shipping: .express).shippingAmount == money("15.00"))
    }
}

@Suite("Order status transitions")
struct OrderStatusTests {
    @Test func allowedTransitions() {
        #expect(OrderStatus.pending.applying(.sagaSucceeded) == .confirmed)
        #expect(OrderStatus.pending.applying(.sagaFailed) == .failed)
        #expect(OrderStatus.pending.applying(.cancel) == .cancelled)
        #expect(OrderStatus.confirmed.applying(.cancel) == .cancelled)
        #expect(OrderStatus.confirmed.applying(.admin(.shipped)) == .shipped)
        #expect(OrderStatus.shipped.applying(.admin(.delivered)) == .delivered)
    }

    @Test(arguments: [
        (OrderStatus.shipped, OrderStatus.Change.cancel), (.delivered, .cancel), (.failed, .cancel), (.cancelled, .cancel),
        (.pending, .admin(.shipped)), (.confirmed, .admin(.delivered)), (.shipped, .admin(.confirmed)), (.confirmed, .sagaFailed),
    ])
    func everythingElseIsAnInvalidTransition(from status: OrderStatus, change: OrderStatus.Change) {
        #expect(status.applying(change) == nil)
    }

    @Test func terminalStatuses() {
        #expect(OrderStatus.allCases.filter(\.isTerminal) == [.delivered, .cancelled, .failed])
    }
}

@Suite("Order saga state machine")
struct SagaStateTests {
    let declined = SagaFailure(.paymentDeclined, "the payment was declined")

    @Test func runsEveryStepInOrder() {
        var saga = SagaState()
        for step in SagaStep.allCases {
            #expect(saga.nextAction == .run(step))
            saga.apply(.stepCompleted(step))
        }
        #expect(saga.phase == .succeeded)
        #expect(saga.nextAction == .finish(.succeeded))
        #expect(saga.isSettled)
    }

    @Test func aDeclinedPaymentReleasesTheStock() {
        var saga = SagaState(replaying: [.stepCompleted(.recordOrder), .stepCompleted(.validateUser), .stepCompleted(.reserveStock)])
        saga.apply(.stepFailed(.chargePayment, declined, uncertain: false))
        #expect(saga.nextAction == .compensate(.releaseStock))
        saga.apply(.compensationCompleted(.releaseStock))
        saga.apply(.compensationCompleted(.releaseStock))  // replayed after a crash: no change
        #expect(saga.phase == .ended(.failed(declined)))
        #expect(saga.nextAction == .finish(.ended(.failed(declined))))
    }

    @Test func anUncertainFailureIsCompensatedToo() {
        // The reserve request timed out: it may have reserved, so the release runs.
        let timeout = SagaFailure(.upstreamUnavailable, "the product service is unavailable")
        var saga = SagaState(replaying: [.stepCompleted(.recordOrder), .stepCompleted(.validateUser)])
        saga.apply(.stepFailed(.reserveStock, timeout, uncertain: true))
        #expect(saga.nextAction == .compensate(.releaseStock))
        // A certain failure (connection refused) has nothing to undo.
        var refused = SagaState(replaying: [.stepCompleted(.recordOrder), .stepCompleted(.validateUser)])
        refused.apply(.stepFailed(.reserveStock, timeout, uncertain: false))
        #expect(refused.phase == .ended(.failed(timeout)))
    }

    @Test func cancellingAConfirmedOrderUndoesInReverse() {
        var saga = SagaState(replaying: SagaStep.allCases.map(SagaEvent.stepCompleted))
        saga.apply(.cancelRequested)
        #expect(saga.nextAction == .compensate(.refundPayment))
        saga.apply(.compensationFailed(.refundPayment, reason: "processor down"))  // retried later: no change
        #expect(saga.nextAction == .compensate(.refundPayment))
        saga.apply(.compensationCompleted(.refundPayment))
        #expect(saga.nextAction == .compensate(.releaseStock))
        saga.apply(.compensationCompleted(.releaseStock))
        #expect(saga.phase == .ended(.cancelled))
    }

    @Test func aCancellationWhileRunningStopsTheSteps() {
        var saga = SagaState(replaying: [.stepCompleted(.recordOrder), .stepCompleted(.validateUser), .stepCompleted(.reserveStock)])
        saga.apply(.cancelRequested)
        #expect(saga.nextAction == .compensate(.releaseStock))
        saga.apply(.stepCompleted(.chargePayment))  // too late: ignored
        #expect(saga.effective == [.recordOrder, .validateUser, .reserveStock])
    }

    @Test func aFailureBeforeAnythingToUndoEndsAtOnce() {
        let down = SagaFailure(.upstreamUnavailable, "the user service is unavailable")
        var saga = SagaState(replaying: [.stepCompleted(.recordOrder), .stepFailed(.validateUser, down, uncertain: false)])
        #expect(saga.phase == .ended(.failed(down)))
        saga.apply(.stepCompleted(.validateUser))  // too late: ignored
        saga.apply(.cancelRequested)  // ended: ignored
        #expect(saga.effective == [.recordOrder])
        #expect(saga.phase == .ended(.failed(down)))
    }

    @Test(arguments: [
        SagaEvent.stepCompleted(.reserveStock), .stepFailed(.chargePayment, SagaFailure(.paymentDeclined, "no"), uncertain: true),
        .compensationCompleted(.refundPayment), .compensationFailed(.releaseStock, reason: "down"), .cancelRequested,
    ])
    func eventsReadBackFromTheLogAsWritten(event: SagaEvent) {
        let detail = event.detailJSON
        #expect(SagaEvent(action: event.action, outcome: event.outcome, detailJSON: detail.isEmpty ? nil : detail) == event)
    }
}

@Suite("Order service settings")
struct OrderSettingsTests {
    @Test func defaultsAreTheContracts() throws {
        let settings = try OrderSettings(environment: [:])
        #expect(settings.taxRate == Decimal(string: "0.08"))
        #expect(settings.sagaTimeout == .seconds(10))
        #expect(settings.faultPoint == nil)
    }

    @Test(arguments: [
        ["TAX_RATE": "eight"], ["TAX_RATE": "1.5"], ["ORDER_SAGA_TIMEOUT_MS": "0"], ["UPSTREAM_TIMEOUT_MS": "soon"],
        ["ORDER_SAGA_FAULT_POINT": "reserve_stock"], ["ORDER_SAGA_FAULT_POINT": "ship_it:after"],
    ])
    func unusableValuesStopTheService(environment: [String: String]) {
        #expect(throws: ConfigurationError.self) { try OrderSettings(environment: environment) }
    }

    @Test func aFaultPointNamesAnActionAndAMoment() throws {
        let point = try #require(try OrderSettings(environment: ["ORDER_SAGA_FAULT_POINT": "release_stock:after"]).faultPoint)
        #expect(point.action == "release_stock")
        #expect(point.moment == .after)
    }
}
