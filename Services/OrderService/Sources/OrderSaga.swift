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
    let users: any UserValidating
    let stock: any StockReserving
    let payments: any PaymentProvider
    let settings: OrderSettings
    let logger: Logger

    /// Drives the saga as far as it can go. Returns with the saga ended, or still
    /// compensating when a compensation's service is down (the recovery worker retries).
    /// Throws ``SagaStore/LeaseLost`` when another process took the saga over.
    func drive(_ saga: inout SagaRecord) async throws {
        var logger = logger
        logger[metadataKey: "order_id"] = "\(saga.orderID)"
        // Only the drive that ends a saga counts its outcome, not a later look at an ended one.
        var advanced = false
        while true {
            defer { advanced = true }
            if saga.cancelRequested, !saga.cancelLogged {
                try await log([], &saga)
                continue
            }
            switch saga.state.nextAction {
            case .run(let step):
                FaultPoint.check(settings.faultPoint, step.rawValue, .before, logger: logger)
                do {
                    try await run(step, &saga)
                } catch let error as PostgresError where error.isCausedByValues {
                    // Writing the step's outcome breaks a rule of the data model: it will fail
                    // the same way every time, so the saga fails here and compensates (the step
                    // may have taken effect elsewhere) instead of being retried for ever.
                    logger.error(
                        "order saga step cannot be recorded", metadata: ["step": "\(step.rawValue)", "error": "\(String(reflecting: error))"])
                    try await recordFailure(
                        step, SagaFailure(.validationFailed, "the order could not be recorded: a value breaks a rule of the data model"),
                        uncertain: true, &saga)
                }
            case .compensate(let compensation):
                FaultPoint.check(settings.faultPoint, compensation.rawValue, .before, logger: logger)
                guard try await compensate(compensation, &saga, logger: logger) else { return }
            case .finish(let phase):
                if advanced { SagaMetrics.finished(phase) }
                logger.info("order saga ended", metadata: ["phase": "\(phase.column)"])
                return
            }
        }
    }

    private func run(_ step: SagaStep, _ saga: inout SagaRecord) async throws {
        switch step {
        case .recordOrder:
            try await log([.stepCompleted(.recordOrder)], &saga)
        case .validateUser:
            let outcome = await users.validate(uid: saga.userUID)
            FaultPoint.check(settings.faultPoint, step.rawValue, .after, logger: logger)
            switch outcome {
            case .completed:
                // A read: its success is written with the next step's outcome.
                saga.noteUnlogged(.stepCompleted(step))
            case .failed(let failure, let uncertain):
                try await recordFailure(step, failure, uncertain: uncertain, &saga)
            }
        case .reserveStock:
            let outcome = await stock.reserve(saga.reservationID, items: saga.items)
            FaultPoint.check(settings.faultPoint, step.rawValue, .after, logger: logger)
            switch outcome {
            case .completed(let reservation):
                let totals = OrderTotals(
                    items: reservation.items.map { ($0.unitPrice, $0.quantity) }, taxRate: settings.taxRate, shipping: saga.shipping)
                guard totals.fitsTheOrderTables else {
                    let failure = SagaFailure(
                        .validationFailed, "the order's total is more than an order can hold (\(OrderTotals.largestAmount))")
                    try await recordFailure(step, failure, uncertain: true, &saga)
                    return
                }
                saga.advance(
                    to: try await store.recordContinuing([.stepCompleted(step)], for: saga, writing: [.reservation(reservation, totals)]))
                saga.totalAmount = totals.totalAmount
            case .failed(let failure, let uncertain):
                try await recordFailure(step, failure, uncertain: uncertain, &saga)
            }
        case .chargePayment, .confirmOrder:
            // One write holds both: the charge's key makes a repeated charge return the first outcome.
            try await charge(&saga)
        }
    }

    /// A step failed: logged, and the order marked failed in the same transaction.
    private func recordFailure(_ step: SagaStep, _ failure: SagaFailure, uncertain: Bool, _ saga: inout SagaRecord) async throws {
        SagaMetrics.stepFailed(step, code: failure.code)
        logger.info(
            "order saga step failed",
            metadata: ["order_id": "\(saga.orderID)", "step": "\(step.rawValue)", "code": "\(failure.code)", "uncertain": "\(uncertain)"])
        try await log([.stepFailed(step, failure, uncertain: uncertain)], &saga, writing: [.failure(reason: failure.message)])
    }

    private func charge(_ saga: inout SagaRecord) async throws {
        let charge = PaymentCharge(
            key: saga.chargeKey, amount: saga.totalAmount, currency: "USD", method: saga.paymentMethod,
            token: saga.paymentToken ?? "")
        let outcome: PaymentOutcome
        do {
            outcome = try await payments.charge(charge)
        } catch {
            FaultPoint.check(settings.faultPoint, SagaStep.chargePayment.rawValue, .after, logger: logger)
            try await recordFailure(
                .chargePayment, SagaFailure(.upstreamUnavailable, "the payment processor is unavailable"), uncertain: true, &saga)
            return
        }
        FaultPoint.check(settings.faultPoint, SagaStep.chargePayment.rawValue, .after, logger: logger)
        let payment = PaymentRecord(
            amount: charge.amount, status: outcome.approved ? "succeeded" : "failed", method: charge.method, outcome: outcome,
            gateway: payments.name)
        guard outcome.approved else {
            let failure = SagaFailure(.paymentDeclined, "the payment was declined")
            SagaMetrics.stepFailed(.chargePayment, code: failure.code)
            try await log(
                [.stepFailed(.chargePayment, failure, uncertain: false)], &saga,
                writing: [.payment(payment), .failure(reason: failure.message)])
            return
        }
        // Nothing can fail between an approved charge and the confirmation: one write for both.
        FaultPoint.check(settings.faultPoint, SagaStep.confirmOrder.rawValue, .before, logger: logger)
        let confirmation = try await store.recordConfirmation(saga, payment: payment)
        saga.advance(to: confirmation.progress)
        saga.confirmedOrder = confirmation.order
    }

    /// Runs one compensation; `false` when it cannot run now.
    private func compensate(_ compensation: SagaStep.Compensation, _ saga: inout SagaRecord, logger: Logger) async throws -> Bool {
        do {
            switch compensation {
            case .releaseStock:
                try await stock.release(saga.reservationID)
                FaultPoint.check(settings.faultPoint, compensation.rawValue, .after, logger: logger)
                try await log([.compensationCompleted(.releaseStock)], &saga)
            case .refundPayment:
                let charged = try await store.chargedAmount(of: saga.orderID)
                let refund: PaymentOutcome? =
                    if let charged {
                        try await payments.refund(chargeKey: saga.chargeKey, amount: charged, key: saga.refundKey)
                    } else { nil }
                FaultPoint.check(settings.faultPoint, compensation.rawValue, .after, logger: logger)
                let record = refund.map {
                    PaymentRecord(amount: charged ?? Money(cents: 0), status: "refunded", method: saga.paymentMethod, outcome: $0, gateway: payments.name)
                }
                try await log([.compensationCompleted(.refundPayment)], &saga, writing: record.map { [.payment($0)] } ?? [])
            }
            SagaMetrics.compensation(compensation, completed: true)
            return true
        } catch let error as SagaStore.LeaseLost {
            throw error
        } catch let error as PostgresError {
            throw error
        } catch {
            logger.warning(
                "compensation failed; the recovery worker will retry",
                metadata: ["compensation": "\(compensation.rawValue)", "error": "\(error)"])
            SagaMetrics.compensation(compensation, completed: false)
            try await log([.compensationFailed(compensation, reason: "\(error)")], &saga)
            return false
        }
    }

    /// Writes `events` (and `writes`) through the store and takes in what it recorded.
    private func log(_ events: [SagaEvent], _ saga: inout SagaRecord, writing writes: [OrderWrite] = []) async throws {
        saga.advance(to: try await store.record(events, for: saga, writing: writes))
    }
}
