import Contracts
import Foundation
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
    @Test func runsEveryStepInOrder() {
        var saga = SagaState()
        for step in SagaStep.allCases {
            #expect(saga.nextAction == .run(step))
            saga.stepCompleted(step)
        }
        #expect(saga.phase == .succeeded)
        #expect(saga.nextAction == .finish(succeeded: true))
    }

    @Test func aFailedPaymentReleasesTheStock() {
        var saga = SagaState()
        for step in [SagaStep.recordOrder, .validateUser, .reserveStock] { saga.stepCompleted(step) }
        saga.stepFailed(.chargePayment, reason: "payment_declined")
        #expect(saga.nextAction == .compensate(.releaseStock))
        saga.compensationCompleted(.releaseStock)
        saga.compensationCompleted(.releaseStock)  // replayed after a crash: no change
        #expect(saga.phase == .failed(reason: "payment_declined"))
        #expect(saga.nextAction == .finish(succeeded: false))
    }

    @Test func aFailureAfterPaymentUndoesInReverse() {
        var saga = SagaState()
        for step in [SagaStep.recordOrder, .validateUser, .reserveStock, .chargePayment] { saga.stepCompleted(step) }
        saga.stepFailed(.confirmOrder, reason: "crash")
        #expect(saga.nextAction == .compensate(.refundPayment))
        saga.compensationCompleted(.refundPayment)
        #expect(saga.nextAction == .compensate(.releaseStock))
        saga.compensationCompleted(.releaseStock)
        #expect(saga.phase == .failed(reason: "crash"))
    }

    @Test func aFailureBeforeAnythingToUndoEndsAtOnce() {
        var saga = SagaState()
        saga.stepCompleted(.recordOrder)
        saga.stepFailed(.validateUser, reason: "upstream_unavailable")
        #expect(saga.phase == .failed(reason: "upstream_unavailable"))
        saga.stepCompleted(.validateUser)  // too late: ignored
        #expect(saga.completed == [.recordOrder])
    }
}
