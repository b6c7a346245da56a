/// A transaction isolation level.
public enum IsolationLevel: Sendable {
    case readCommitted, repeatableRead, serializable

    var beginStatement: PostgresQuery {
        switch self {
        case .readCommitted: "BEGIN ISOLATION LEVEL READ COMMITTED"
        case .repeatableRead: "BEGIN ISOLATION LEVEL REPEATABLE READ"
        case .serializable: "BEGIN ISOLATION LEVEL SERIALIZABLE"
        }
    }
}

extension PostgresPool {
    /// Runs `body` in a transaction on one connection. A serialization failure or deadlock
    /// (SQLSTATE 40001 / 40P01) rolls back and runs `body` again, up to `maxAttempts` times
    /// in all, so `body` must be safe to repeat. Any other error rolls back and is rethrown.
    public func withTransaction<Result: Sendable>(
        isolation: IsolationLevel = .readCommitted, maxAttempts: Int = 5,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.query(isolation.beginStatement)
                    do {
                        let result = try await body(connection)
                        try await connection.query("COMMIT")
                        return result
                    } catch {
                        _ = try? await connection.query("ROLLBACK")
                        throw error
                    }
                }
            } catch let error as PostgresError where error.sqlState?.isTransient == true && attempt < maxAttempts {
                logger.debug(
                    "retrying transaction", metadata: ["sqlstate": "\(error.sqlState!)", "attempt": "\(attempt)"])
                attempt += 1
                // Jittered backoff so the transactions that collided do not collide again.
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            }
        }
    }
}
