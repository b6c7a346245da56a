import Contracts
import Foundation
import Logging
import Postgres

/// Drives order sagas: runs the next step or compensation, records its outcome in the saga
/// log (with the order's own writes, in one transaction), and repeats until the saga ends
/// or cannot go further now. The request that placed an order, a cancellation and the
/// recovery worker all drive sagas through here; the lease makes sure only one at a time does.
struct OrderSaga: Sendable {
    let store: SagaStore
    let users: UserAccounts
    let stock: StockReservations
    let payments: any PaymentProvider
    let settings: OrderSettings
    let logger: Logger

    /// Drives the saga as far as it can go. Returns with the saga ended, or still
    /// compensating when a compensation's service is down (the recovery worker retries).
    /// Throws ``SagaStore/LeaseLost`` when another process took the saga over.
    func drive(_ saga: inout SagaRecord) async throws {
        var logger = logger
        logger[metadataKey: "order_id"] = "\(saga.orderID)"
        while true {
            if saga.cancelRequested, !saga.cancelLogged {
                try await store.record([], for: &saga)
                continue
            }
            switch saga.state.nextAction {
            case .run(let step):
                FaultPoint.check(settings.faultPoint, step.rawValue, .before, logger: logger)
                try await run(step, &saga)
            case .compensate(let compensation):
                FaultPoint.check(settings.faultPoint, compensation.rawValue, .before, logger: logger)
                guard try await compensate(compensation, &saga, logger: logger) else { return }
            case .finish(let phase):
                logger.info("order saga ended", metadata: ["phase": "\(phase.column)"])
                return
            }
        }
    }

    private func run(_ step: SagaStep, _ saga: inout SagaRecord) async throws {
        let order = saga.orderID
        switch step {
        case .recordOrder:
            try await store.record([.stepCompleted(.recordOrder)], for: &saga)
        case .validateUser:
            let outcome = await users.validate(uid: saga.userUID)
            FaultPoint.check(settings.faultPoint, step.rawValue, .after, logger: logger)
            if case .completed = outcome {
                // A read: its success is written with the next step's outcome.
                saga.unlogged.append(.stepCompleted(step))
                saga.state.apply(.stepCompleted(step))
            } else {
                try await record(step, outcome, &saga) { _, _ in }
            }
        case .reserveStock:
            let outcome = await stock.reserve(order: order, items: saga.items)
            FaultPoint.check(settings.faultPoint, step.rawValue, .after, logger: logger)
            let taxRate = settings.taxRate
            let shipping = saga.shipping
            let totals: OrderTotals? =
                if case .completed(let reservation) = outcome {
                    OrderTotals(items: reservation.items.map { ($0.unitPrice, $0.quantity) }, taxRate: taxRate, shipping: shipping)
                } else { nil }
            try await record(step, outcome, &saga) { reservation, connection in
                guard let totals else { return }
                try await OrderStore.applyReservation(reservation, order: order, totals: totals, on: connection)
            }
            if let totals { saga.totalAmount = totals.totalAmount }
        case .chargePayment:
            try await charge(&saga)
        case .confirmOrder:
            try await store.record([.stepCompleted(.confirmOrder)], for: &saga) { connection, _ in
                try await Self.confirm(order, on: connection)
            }
        }
    }

    /// Records a step's outcome; `completed` runs its writes in the log transaction, a failure marks the order failed.
    private func record<Value: Sendable>(
        _ step: SagaStep, _ outcome: StepOutcome<Value>, _ saga: inout SagaRecord,
        completed: @escaping @Sendable (Value, PostgresConnection) async throws -> Void
    ) async throws {
        let order = saga.orderID
        switch outcome {
        case .completed(let value):
            try await store.record([.stepCompleted(step)], for: &saga) { connection, _ in
                try await completed(value, connection)
                return nil
            }
        case .failed(let failure, let uncertain):
            logger.info(
                "order saga step failed",
                metadata: ["order_id": "\(order)", "step": "\(step.rawValue)", "code": "\(failure.code)", "uncertain": "\(uncertain)"])
            try await store.record([.stepFailed(step, failure, uncertain: uncertain)], for: &saga) { connection, _ in
                try await OrderStore.fail(order: order, reason: failure.message, on: connection)
                return nil
            }
        }
    }

    private func charge(_ saga: inout SagaRecord) async throws {
        let order = saga.orderID
        let charge = PaymentCharge(
            key: "order-\(order)-charge", amount: saga.totalAmount, currency: "USD", method: saga.paymentMethod,
            token: saga.paymentToken ?? "")
        let outcome: PaymentOutcome
        do {
            outcome = try await payments.charge(charge)
        } catch {
            FaultPoint.check(settings.faultPoint, SagaStep.chargePayment.rawValue, .after, logger: logger)
            try await record(.chargePayment, StepOutcome<Void>.failed(
                SagaFailure(.upstreamUnavailable, "the payment processor is unavailable"), uncertain: true), &saga) { _, _ in }
            return
        }
        FaultPoint.check(settings.faultPoint, SagaStep.chargePayment.rawValue, .after, logger: logger)
        // An approved charge and the confirmation are one write: nothing between them can fail.
        if outcome.approved { FaultPoint.check(settings.faultPoint, SagaStep.confirmOrder.rawValue, .before, logger: logger) }
        let events: [SagaEvent] =
            outcome.approved
            ? [.stepCompleted(.chargePayment), .stepCompleted(.confirmOrder)]
            : [.stepFailed(.chargePayment, SagaFailure(.paymentDeclined, "the payment was declined"), uncertain: false)]
        let provider = payments.name
        try await store.record(events, for: &saga) { connection, _ in
            try await OrderStore.recordPayment(
                order: order, amount: charge.amount, status: outcome.approved ? "succeeded" : "failed", method: charge.method,
                outcome: outcome, gateway: provider, on: connection)
            guard outcome.approved else {
                try await OrderStore.fail(order: order, reason: "the payment was declined", on: connection)
                return nil
            }
            return try await Self.confirm(order, on: connection)
        }
    }

    /// `pending` becomes `confirmed` and the 201 answer is kept for replays; `nil` when the
    /// order was cancelled meanwhile.
    private static func confirm(_ order: Int, on connection: PostgresConnection) async throws -> StoredResponse? {
        guard let confirmed = try await OrderStore.confirm(order: order, on: connection) else { return nil }
        return StoredResponse(status: 201, body: try PostgresJSONB(encoding: confirmed, encoder: contractEncoder))
    }

    /// Runs one compensation; `false` when it cannot run now.
    private func compensate(_ compensation: SagaStep.Compensation, _ saga: inout SagaRecord, logger: Logger) async throws -> Bool {
        let order = saga.orderID
        do {
            switch compensation {
            case .releaseStock:
                try await stock.release(order: order)
                FaultPoint.check(settings.faultPoint, compensation.rawValue, .after, logger: logger)
                try await store.record([.compensationCompleted(.releaseStock)], for: &saga)
            case .refundPayment:
                let charged = try await store.pool.withConnection { try await OrderStore.succeededCharge(order: order, on: $0) }
                let refund: PaymentOutcome? =
                    if let charged {
                        try await payments.refund(chargeKey: "order-\(order)-charge", amount: charged, key: "order-\(order)-refund")
                    } else { nil }
                FaultPoint.check(settings.faultPoint, compensation.rawValue, .after, logger: logger)
                let method = saga.paymentMethod
                let provider = payments.name
                try await store.record([.compensationCompleted(.refundPayment)], for: &saga) { connection, _ in
                    if let refund, let charged {
                        try await OrderStore.recordPayment(
                            order: order, amount: charged, status: "refunded", method: method, outcome: refund, gateway: provider,
                            on: connection)
                    }
                    return nil
                }
            }
            return true
        } catch let error as SagaStore.LeaseLost {
            throw error
        } catch let error as PostgresError {
            throw error
        } catch {
            logger.warning(
                "compensation failed; the recovery worker will retry",
                metadata: ["compensation": "\(compensation.rawValue)", "error": "\(error)"])
            try await store.record([.compensationFailed(compensation, reason: "\(error)")], for: &saga)
            return false
        }
    }
}
