import Contracts
import Foundation
import Postgres

/// A saga as its driver sees it: the order's facts the steps need, and its state rebuilt from
/// the log. Only the driver (``OrderSaga``) changes it; the store answers each write with a
/// ``SagaProgress`` that the driver takes in.
struct SagaRecord: Sendable {
    let orderID: Int
    /// The saga's own key (`order_sagas.saga_key`), `nil` for sagas recorded before keys existed.
    let sagaKey: UUID?
    let userUID: String
    let items: [StockReservationRequest.Item]
    let paymentMethod: String
    let shipping: OrderTotals.Shipping
    /// Kept until the saga ends, so that a recovery can still charge.
    let paymentToken: String?
    var totalAmount: Money
    private(set) var state: SagaState
    /// A cancellation was asked for (`order_sagas.cancel_requested`).
    private(set) var cancelRequested: Bool
    /// …and is in the log already.
    private(set) var cancelLogged: Bool
    /// Outcomes applied to `state` but not yet written: a read-only step's success travels
    /// with the next write (after a crash the step simply runs again).
    private(set) var unlogged: [SagaEvent] = []
    /// The order as the confirming write left it, for the response of the request that placed it.
    var confirmedOrder: OrderResponse?

    init(
        orderID: Int, sagaKey: UUID?, userUID: String, items: [StockReservationRequest.Item], paymentMethod: String,
        shipping: OrderTotals.Shipping, paymentToken: String?, totalAmount: Money, state: SagaState, cancelRequested: Bool,
        cancelLogged: Bool
    ) {
        self.orderID = orderID
        self.sagaKey = sagaKey
        self.userUID = userUID
        self.items = items
        self.paymentMethod = paymentMethod
        self.shipping = shipping
        self.paymentToken = paymentToken
        self.totalAmount = totalAmount
        self.state = state
        self.cancelRequested = cancelRequested
        self.cancelLogged = cancelLogged
    }

    /// The id of the order's stock reservation at the Product service. Unique for ever: an
    /// order id comes back after the order database is reset or restored, the saga key does
    /// not (older sagas keep the id they were started with).
    var reservationID: String {
        sagaKey.map { "order-\(orderID)-\($0.uuidString.lowercased())" } ?? "order-\(orderID)"
    }

    /// The payment provider's idempotency key for the order's charge (the refund names it too).
    var chargeKey: String { "\(reservationID)-charge" }
    var refundKey: String { "\(reservationID)-refund" }

    /// The state with `events` applied on top of what is not yet logged: what a write of them records.
    func stateAfter(_ events: [SagaEvent]) -> SagaState {
        var state = state
        for event in unlogged + events { state.apply(event) }
        return state
    }

    /// A read-only step succeeded: applied now, written with the next outcome.
    mutating func noteUnlogged(_ event: SagaEvent) {
        unlogged.append(event)
        state.apply(event)
    }

    /// Takes in what the store recorded.
    mutating func advance(to progress: SagaProgress) {
        state = progress.state
        unlogged = []
        cancelRequested = progress.cancelRequested
        cancelLogged = progress.cancelLogged
    }
}

/// What a write to the saga log left: the state it recorded, and where a cancellation stands.
struct SagaProgress: Sendable {
    var state: SagaState
    var cancelRequested: Bool
    var cancelLogged: Bool
}

/// The first response to a request, kept for replays of its `Idempotency-Key`.
struct StoredResponse: Sendable {
    var status: Int
    /// The order for a 2xx; the ``SagaFailure`` otherwise. `nil` if the process died between
    /// confirming and keeping the body: a replay then shows the order as it is.
    var body: PostgresJSONB?
}
