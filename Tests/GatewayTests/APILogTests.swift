import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@testable import Gateway

/// `api_logs` keeps every request, whatever the request held: odd methods, oversized values,
/// and a row the database refuses (which must not hold up the rows written with it).
@Suite("Gateway: api_logs survives hostile requests")
struct APILogTests {
    @Test func oddMethodsAndOversizedValuesAreLoggedAndDoNotBlockLaterRows() async throws {
        try await withEdge { client, _ in
            let admin = try await login(client, admin: true)
            // UNSUBSCRIBE (11 letters) used to be refused by VARCHAR(10), and its batch retried for ever.
            _ = try await client.send("/api/v1/products", HTTPRequest.Method("UNSUBSCRIBE")!, headers: [.requestID: "odd-method"])
            _ = try await client.send(
                "/api/v1/products/" + String(repeating: "p", count: 3000),
                headers: [.requestID: "long-values", .userAgent: "agent/" + String(repeating: "\u{301}", count: 3000)])
            _ = try await client.send("/api/v1/products", headers: [.requestID: "plain-after"])

            func row(_ requestID: String) async throws -> AdminController.LogRow? {
                for _ in 0..<100 {
                    let page = try decode(Page<AdminController.LogRow>.self, try await client.send(
                        "/api/v1/admin/api-logs?request_id=\(requestID)", headers: bearer(admin)))
                    if let row = page.data.first { return row }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return nil
            }
            #expect(try await row("plain-after")?.method == "GET")
            #expect(try await row("odd-method")?.method == "UNSUBSCRIBE")
            let long = try #require(try await row("long-values"))
            #expect(long.path.unicodeScalars.count == APILogEntry.Limit.path)
            // Clipped by code point: one "character" of 3,000 combining accents does not slip past the limit.
            #expect(long.userAgent?.unicodeScalars.count == APILogEntry.Limit.userAgent)
        }
    }

    @Test func aRowTheDatabaseRefusesIsDroppedAndTheRestOfItsBatchIsWritten() async throws {
        // No periodic flush: the shutdown flush writes all the rows as one batch.
        let database = try await withEdgeReturningDatabase(["API_LOG_FLUSH_MS": "600000", "RATE_LIMIT_ANON_PER_MINUTE": "10000"]) { client in
            for index in 0..<20 {
                let path = index == 13 ? "/api/v1/products/poison" : "/api/v1/products/\(index)"
                _ = try await client.send(path, headers: [.requestID: "batch-\(index)"])
            }
        } beforeShutdown: { pool in
            // A rule the sanitising cannot know about, standing for any value the database refuses.
            try await pool.query("ALTER TABLE api_logs ADD CONSTRAINT no_poison CHECK (path NOT LIKE '%poison%')")
        }
        let pool = PostgresPool(configuration: database, logger: TestEnvironment.logger("quarantine"))
        let logged = try await pool.query("SELECT request_id FROM api_logs WHERE request_id LIKE 'batch-%'").map {
            try $0.decode("request_id", as: String.self)
        }
        #expect(Set(logged) == Set((0..<20).filter { $0 != 13 }.map { "batch-\($0)" }))
        await pool.close()
    }

    @Test func valuesAreMadeToFitTheirColumns() {
        let entry = APILogEntry(
            serviceName: "gateway", path: "/a\u{0}b", method: "M", statusCode: 200, latencyMilliseconds: 1, userUID: nil,
            ipAddress: "fe80::1%eth0", userAgent: nil, requestID: "r", createdAt: Date()
        ).sanitized
        #expect(entry.path == "/a\u{FFFD}b")
        #expect(entry.ipAddress == nil)
        #expect(APILogEntry(
            serviceName: "gateway", path: "/", method: "M", statusCode: 200, latencyMilliseconds: 1, userUID: nil,
            ipAddress: "::1", userAgent: nil, requestID: "r", createdAt: Date()
        ).sanitized.ipAddress == "::1")
        #expect(APILogEntry.fit("e\u{301}\u{301}", 2) == "e\u{301}")
        // HTTP's parser takes only the methods it knows (UNSUBSCRIBE is the longest); the column takes 32 anyway.
        #expect(APILogEntry(
            serviceName: "gateway", path: "/", method: String(repeating: "X", count: 40), statusCode: 200, latencyMilliseconds: 1,
            userUID: nil, ipAddress: nil, userAgent: nil, requestID: "r", createdAt: Date()
        ).sanitized.method.count == APILogEntry.Limit.method)
    }
}
