import Postgres

/// Sagas whose process died or stalled: claimed by the recovery worker once their lease ran out.
extension SagaStore {
    /// Takes over up to `limit` sagas whose lease ran out (their process died or stalled).
    func claimExpired(limit: Int) async throws -> [Int] {
        try await pool.query(
            """
            UPDATE order_sagas SET lease_owner = \(owner), lease_until = now() + \(lease.wholeMilliseconds) * interval '1 millisecond',
                attempts = attempts + 1, updated_at = now()
            WHERE order_id IN (
                SELECT order_id FROM order_sagas WHERE ended_at IS NULL AND lease_until < now()
                ORDER BY lease_until LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING order_id
            """
        ).map { try $0.decode("order_id") }
    }

    /// How many sagas are open and how old the oldest is, in seconds (the partial index on
    /// open sagas keeps it cheap).
    func openSagas() async throws -> (count: Int, oldestSeconds: Double) {
        guard let row = try await pool.query(
            """
            SELECT count(*)::int AS open, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest
            FROM order_sagas WHERE ended_at IS NULL
            """).first
        else { return (0, 0) }
        return (try row.decode("open"), try row.decode("oldest"))
    }
}
