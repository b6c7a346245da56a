import Contracts
import Postgres

/// Outcomes written to the saga log, with the order writes they decide, under the lease.
extension SagaStore {
    /// Appends `events` (and a pending cancellation) to the log, applies `writes` in the same
    /// transaction and renews the lease. When the saga has then nothing left to do (it failed
    /// or was cancelled and compensated) it is ended: the payment token is dropped and the
    /// failure kept as the first response.
    func record(_ events: [SagaEvent], for saga: SagaRecord, writing writes: [OrderWrite] = []) async throws -> SagaProgress {
        let logged = saga.unlogged + events
        let (state, cancelRequested) = try await pool.withTransaction { connection -> (SagaState, Bool) in
            var state = saga.stateAfter(events)
            guard let lease = try await connection.query(leaseAndLog(saga.orderID, phase: state.phase, logged: logged)).first
            else { throw LeaseLost() }
            let cancelRequested: Bool = try lease.decode("cancel_requested")
            let cancelArrived = cancelRequested && !saga.cancelLogged
            if cancelArrived {
                state.apply(.cancelRequested)
                try await connection.query(Self.forOrder(saga.orderID, [Self.logInsert([.cancelRequested])]))
            }
            // One statement a write: two writes may change the same order row, which one statement cannot.
            for write in writes { try await connection.query(Self.forOrder(saga.orderID, try write.statements)) }
            if state.isSettled || cancelArrived || state.failure != nil {
                try await settle(saga.orderID, state: state, on: connection)
            }
            return (state, cancelRequested)
        }
        return SagaProgress(state: state, cancelRequested: cancelRequested, cancelLogged: saga.cancelLogged || cancelRequested)
    }

    /// The common case in one statement and no transaction: renew the lease, append the
    /// events and apply `writes` (each a statement of its own table, joining `lease`, so they do
    /// nothing once the lease is not ours). For outcomes after which the saga goes on; a
    /// cancellation noticed here is logged by the driver's next turn.
    func recordContinuing(_ events: [SagaEvent], for saga: SagaRecord, writing writes: [OrderWrite]) async throws -> SagaProgress {
        let state = saga.stateAfter(events)
        precondition(!state.isSettled, "an outcome that ends the saga is recorded with record(_:for:writing:)")
        let query = leaseAndLog(
            saga.orderID, phase: state.phase, logged: saga.unlogged + events, writes: try writes.flatMap { try $0.statements })
        guard let row = try await pool.query(query).first else { throw LeaseLost() }
        let cancelRequested = try row.decode("cancel_requested", as: Bool.self)
        return SagaProgress(
            state: state, cancelRequested: saga.cancelRequested || cancelRequested, cancelLogged: saga.cancelLogged)
    }

    /// One statement: renew the lease (only if still ours), set the phase, append `logged` in
    /// order and apply `writes` (statements joining `lease`, a table each); answers
    /// `cancel_requested`, or no row when the lease is lost.
    private func leaseAndLog(_ orderID: Int, phase: SagaState.Phase, logged: [SagaEvent], writes: [PostgresQuery] = []) -> PostgresQuery {
        var query: PostgresQuery = """
            WITH lease AS (
                UPDATE order_sagas SET lease_until = now() + \(lease.wholeMilliseconds) * interval '1 millisecond', updated_at = now(),
                    phase = \(phase.column)
                WHERE order_id = \(orderID) AND lease_owner = \(owner) RETURNING order_id, cancel_requested)
            """
        Self.appendWrites([Self.logInsert(logged)] + writes, to: &query)
        query.append(" SELECT cancel_requested FROM lease")
        return query
    }

    /// Writes what the log's last events decided: the phase; once a step has failed, that
    /// failure as the first response (the client has its answer while compensations may still
    /// wait for a service); and for a saga with nothing left to do, its end (payment token
    /// dropped; a cancellation during placement answers 409). A response kept already stays
    /// (an order cancelled after its confirmation keeps its 201).
    private func settle(_ orderID: Int, state: SagaState, on connection: PostgresConnection) async throws {
        let answer = state.failure ?? (state.isSettled ? SagaFailure.cancelledWhilePlacing : nil)
        try await connection.query(
            """
            UPDATE order_sagas SET phase = \(state.phase.column), updated_at = now(),
                ended_at = CASE WHEN \(state.isSettled) THEN now() END,
                payment_token = CASE WHEN \(state.isSettled) THEN NULL ELSE payment_token END,
                lease_owner = CASE WHEN \(state.isSettled) THEN NULL ELSE lease_owner END,
                failure = \(try state.failure.map { try PostgresJSONB(encoding: $0) }),
                response_status = coalesce(response_status, \(answer.map { ErrorCode(rawValue: $0.code).httpStatus })),
                response_body = CASE WHEN response_status IS NULL THEN \(try answer.map { try PostgresJSONB(encoding: $0) })
                                     ELSE response_body END
            WHERE order_id = \(orderID)
            """)
    }
}
