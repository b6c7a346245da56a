import Postgres
import TestSupport
import Testing

/// ``PostgresSessionSettings``: what a scope names is set on every connection lent inside it,
/// and cleared before the connection goes back, whatever the body did.
@Suite("Session settings ride on the connections lent in their scope")
struct SessionSettingsTests {
    @Test func settingsAreSeenInsideTheScopeAndClearedAfterwards() async throws {
        // One connection, so every call below gets the same one back.
        let pool = try await TestDatabase.pool("settings", maxConnections: 1)
        func actor() async throws -> String {
            try await pool.query("SELECT current_setting('ecommerce.actor', true) AS actor").first!.decode("actor", as: String?.self) ?? ""
        }
        let inside = try await PostgresSessionSettings.$current.withValue(["ecommerce.actor": "it's me; DROP TABLE x"]) {
            try await pool.withTransaction { connection in
                try await connection.query("SELECT current_setting('ecommerce.actor') AS actor").first!.decode("actor", as: String.self)
            }
        }
        #expect(inside == "it's me; DROP TABLE x", "the value is a bind, taken as it is")
        #expect(try await actor() == "")
        // A body that fails (a rolled-back transaction) leaves nothing behind either.
        await #expect(throws: PostgresError.self) {
            try await PostgresSessionSettings.$current.withValue(["ecommerce.actor": "failing"]) {
                try await pool.withTransaction { try await $0.query("SELECT 1 / 0") }
            }
        }
        #expect(try await actor() == "")
        await pool.close()
    }
}
