import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import ServiceKit
import TestSupport
import Synchronization
import Testing
import UserService

@testable import Gateway

@Suite("Gateway edge: keys, rate limits, logs, analytics")
struct EdgeTests {
    @Test func anonymousCallersAreLimitedPerIPWithHeaders() async throws {
        try await withEdge(["RATE_LIMIT_ANON_PER_MINUTE": "3"]) { client, _ in
            for remaining in [2, 1, 0] {
                let response = try await client.send("/api/v1/products")
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
                #expect(response.headers[HTTPField.Name("RateLimit-Remaining")!] == String(remaining))
                #expect(response.headers[HTTPField.Name("RateLimit-Reset")!].flatMap(Int.init) ?? 0 > 0)
            }
            let limited = try await client.send("/api/v1/products")
            #expect(limited.status == .tooManyRequests)
            #expect(errorCode(limited) == "rate_limited")
            #expect((limited.headers[.retryAfter].flatMap(Int.init) ?? 0) >= 1)
            #expect(limited.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
            // The gateway's own routes outside /api/v1 are not limited.
            #expect(try await client.send("/health/live").status == .ok)
        }
    }

    @Test func usersHaveTheirOwnBucket() async throws {
        try await withEdge(["RATE_LIMIT_USER_PER_MINUTE": "3", "RATE_LIMIT_ANON_PER_MINUTE": "100"]) { client, _ in
            let token = try await login(client, admin: false)  // one anonymous request
            for _ in 0..<3 { #expect(try await client.send("/api/v1/orders", headers: bearer(token)).status == .ok) }
            let limited = try await client.send("/api/v1/orders", headers: bearer(token))
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
            #expect(try await client.send("/api/v1/products").status == .ok)
            // Errors carry the headers too: a refused token (counted against the IP) and an unknown route.
            let refused = try await client.send("/api/v1/orders", headers: bearer("forged.token.here"))
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[HTTPField.Name("RateLimit-Limit")!] == "100")
            let missing = try await client.send("/api/v1/nothing-here")
            #expect(missing.status == .notFound)
            #expect(missing.headers[HTTPField.Name("RateLimit-Remaining")!] != nil)
        }
    }

    @Test func apiKeysActWithTheirPermissionsAndRateLimit() async throws {
        try await withEdge { client, _ in
            let admin = try await login(client, admin: true)
            let created = try await client.send(
                "/api/v1/api-keys", .post, headers: bearer(admin),
                body: json(["name": "catalog reader", "permissions": ["products:read"], "rate_limit": 3]))
            let key = try #require(try decode(APIKeyResponse.self, created).key)
            let keyHeader: HTTPFields = [HTTPField.Name("X-API-Key")!: key]

            let read = try await client.send("/api/v1/products", headers: keyHeader)
            #expect(read.status == .ok)
            #expect(read.headers[HTTPField.Name("RateLimit-Limit")!] == "3")
            #expect(try decode(EchoReply.self, read).headers["x-api-key"] == nil)  // the key stays at the edge
            #expect(try await client.send("/api/v1/products", .post, headers: keyHeader, body: json([:])).status == .forbidden)
            #expect(try await client.send("/api/v1/orders", headers: keyHeader).status == .forbidden)
            // Refused requests took no tokens: two more reads fit in the key's 3 a minute, the next does not.
            #expect(try await client.send("/api/v1/products", headers: keyHeader).status == .ok)
            #expect(try await client.send("/api/v1/products", headers: keyHeader).status == .ok)
            #expect(try await client.send("/api/v1/products", headers: keyHeader).status == .tooManyRequests)
            let unknown = try await client.send("/api/v1/products", headers: [HTTPField.Name("X-API-Key")!: "ek_nope"])
            #expect(unknown.status == .unauthorized)
        }
    }

    @Test func everyRequestLeavesAnAPILogRowAdminsCanRead() async throws {
        try await withEdge { client, _ in
            let admin = try await login(client, admin: true)
            let customer = try await login(client, admin: false)
            _ = try await client.send("/api/v1/products/42?x=1", headers: [.requestID: "log-me-1", .userAgent: "tests/1.0"])
            var rows: [AdminController.LogRow] = []
            for _ in 0..<50 where rows.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                rows = try decode(Page<AdminController.LogRow>.self, try await client.send(
                    "/api/v1/admin/api-logs?request_id=log-me-1", headers: bearer(admin))).data
            }
            let row = try #require(rows.first)
            #expect(rows.count == 1)
            #expect(row.serviceName == "product")
            #expect(row.path == "/api/v1/products/42")
            #expect(row.method == "GET")
            #expect(row.statusCode == 200)
            #expect(row.ipAddress == "127.0.0.1")
            #expect(row.userAgent == "tests/1.0")
            let filtered = try decode(Page<AdminController.LogRow>.self, try await client.send(
                "/api/v1/admin/api-logs?service_name=user&status_code=200", headers: bearer(admin)))
            #expect(filtered.data.allSatisfy { $0.serviceName == "user" && $0.statusCode == 200 })
            #expect(try await client.send("/api/v1/admin/api-logs", headers: bearer(customer)).status == .forbidden)
            #expect(try await client.send("/api/v1/admin/api-logs").status == .unauthorized)
            #expect(try await client.send("/api/v1/admin/api-logs?service_name=payments", headers: bearer(admin)).status == .badRequest)
        }
    }

    @Test func analyticsEventsAreAcceptedAndSummarised() async throws {
        try await withEdge { client, _ in
            let admin = try await login(client, admin: true)
            let events: [[String: Any]] = [
                ["event_name": "page_view", "session_id": "s1", "properties": ["path": "/", "n": 1], "utm_source": "mail"],
                ["event_name": "page_view"], ["event_name": "add_to_cart", "properties": ["product_id": 7]],
            ]
            let accepted = try await client.send("/api/v1/analytics/events", .post, body: json(["events": events]))
            #expect(accepted.status == .accepted)
            #expect(String(buffer: accepted.body).contains(#""accepted":3"#))
            #expect(try await client.send("/api/v1/analytics/events", .post, body: json(["events": []])).status == .unprocessableContent)
            #expect(try await client.send("/api/v1/analytics/events", .post, body: json(["events": [["properties": [:]]]])).status
                == .unprocessableContent)
            // Found by `make fuzz`: PostgreSQL text cannot hold NUL; that is the client's 422, not a 500.
            for event in [["event_name": "nul\u{0}name"], ["event_name": "ok", "utm_medium": "x\u{0}"], ["event_name": "ok", "properties": ["k": "v\u{0}"]]] {
                let refused = try await client.send("/api/v1/analytics/events", .post, body: json(["events": [event]]))
                #expect(refused.status == .unprocessableContent, "\(event)")
            }
            let summary = try decode(AdminController.Summary.self, try await client.send("/api/v1/admin/analytics/summary", headers: bearer(admin)))
            #expect(summary.byEventName == ["page_view": 2, "add_to_cart": 1])
            #expect(summary.total == 3)
            #expect(summary.byDay.values.reduce(0, +) == 3)
            #expect(try await client.send("/api/v1/admin/analytics/summary?since=yesterday", headers: bearer(admin)).status == .badRequest)
            // Found by `make fuzz`: year 1 reached PostgreSQL as year 0 (a 500). Filters read times
            // outside 1970 to 9999 as those bounds, so an early `since` counts everything and an
            // early `until` nothing.
            let early = try decode(AdminController.Summary.self, try await client.send(
                "/api/v1/admin/analytics/summary?since=0001-01-01T00:00:00Z", headers: bearer(admin)))
            #expect(early.total == 3)
            #expect(early.since == Date(timeIntervalSince1970: 0))
            let ended = try decode(AdminController.Summary.self, try await client.send(
                "/api/v1/admin/analytics/summary?until=1969-12-31T23:59:59Z", headers: bearer(admin)))
            #expect(ended.total == 0)
            #expect(ended.byEventName.isEmpty)
            // A window that ends before it starts counts nothing (it is not a malformed request).
            let reversed = try decode(AdminController.Summary.self, try await client.send(
                "/api/v1/admin/analytics/summary?since=9999-01-01T00:00:00Z&until=1970-01-01T00:00:00Z", headers: bearer(admin)))
            #expect(reversed.total == 0)
            #expect(reversed.byDay.isEmpty)
            let logs = try await client.send("/api/v1/admin/api-logs?since=0001-01-01T00:00:00Z", headers: bearer(admin))
            #expect(logs.status == .ok)
            #expect(String(buffer: logs.body).contains(#"analytics\/events"#))
            let widest = try await client.send(
                "/api/v1/admin/analytics/summary?since=1970-01-01T00:00:00Z&until=9999-12-31T23:59:59Z", headers: bearer(admin))
            #expect(try decode(AdminController.Summary.self, widest).total == 3)
        }
    }

    @Test func queuedLogRowsAreWrittenWhenTheGatewayStops() async throws {
        let database = try await withEdgeReturningDatabase(["API_LOG_FLUSH_MS": "600000", "RATE_LIMIT_ANON_PER_MINUTE": "10000"]) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<100 {
                    group.addTask { _ = try await client.send("/api/v1/products", headers: [.requestID: "shutdown-\(index)"]) }
                }
                try await group.waitForAll()
            }
        }
        // The periodic flush never came: every row was written by the shutdown flush.
        let pool = PostgresPool(configuration: database, logger: TestEnvironment.logger("shutdown"))
        let count: Int = try await pool.query("SELECT count(*) AS n FROM api_logs WHERE request_id LIKE 'shutdown-%'").first!.decode("n")
        #expect(count == 100)
        await pool.close()
    }

    @Test func retentionDeletesOnlyExpiredRows() async throws {
        let pool = try await TestDatabase.pool("retention", maxConnections: 2)
        try await MigrationRunner(directory: TestEnvironment.repositoryRoot.appending(path: "database/migrations/gateway"))
            .run(on: pool, logger: TestEnvironment.logger("retention"))
        try await pool.query(
            """
            INSERT INTO api_logs (service_name, path, method, status_code, latency_ms, created_at)
            SELECT 'gateway', '/old', 'GET', 200, 1, now() - (n || ' days')::interval + interval '1 hour' FROM generate_series(0, 40) AS n
            """)
        try await pool.query(
            """
            INSERT INTO analytics_events (event_name, created_at)
            SELECT 'view', now() - (n || ' days')::interval + interval '1 hour' FROM generate_series(0, 100) AS n
            """)
        let job = RetentionJob(pool: pool, function: "purge_expired_rows", ready: SchemaReadiness(), logger: TestEnvironment.logger("retention"), batch: 3)
        #expect(try await job.purge() == 10 + 10)
        let logs: Int = try await pool.query("SELECT count(*) AS n FROM api_logs").first!.decode("n")
        let events: Int = try await pool.query("SELECT count(*) AS n FROM analytics_events").first!.decode("n")
        #expect(logs == 31)
        #expect(events == 91)
        await pool.close()
    }

    @Test func aPurgeBatchReadsItsRowsThroughTheIndexNotTheWholeTable() async throws {
        let pool = try await TestDatabase.pool("retention_plan", maxConnections: 2)
        try await MigrationRunner(directory: TestEnvironment.repositoryRoot.appending(path: "database/migrations/gateway"))
            .run(on: pool, logger: TestEnvironment.logger("retention_plan"))
        // Enough rows that a plan reading the whole table per batch would be chosen if the SQL allowed it.
        try await pool.query(
            """
            INSERT INTO api_logs (service_name, path, method, status_code, latency_ms, created_at)
            SELECT 'gateway', '/x', 'GET', 200, 1, now() - interval '40 days' + interval '40 days' * n / 40000
            FROM generate_series(1, 40000) AS n
            """)
        try await pool.query(
            """
            INSERT INTO analytics_events (event_name, created_at)
            SELECT 'view', now() - interval '120 days' + interval '120 days' * n / 40000 FROM generate_series(1, 40000) AS n
            """)
        try await pool.query("ANALYZE api_logs, analytics_events")
        let (before, after) = try await pool.withTransaction { connection -> ([String: Int], [String: Int]) in
            // The backend's counters not yet reported (they include earlier statements, so compare
            // before and after: nothing is reported in the middle of a transaction).
            func sequentialScans() async throws -> [String: Int] {
                var scans: [String: Int] = [:]
                for row in try await connection.query("SELECT relname::text AS name, seq_scan::int AS n FROM pg_stat_xact_user_tables") {
                    scans[try row.decode("name")] = try row.decode("n")
                }
                return scans
            }
            let before = try await sequentialScans()
            let deleted: Int = try await connection.query("SELECT purge_expired_rows(1000) AS n").first!.decode("n")
            #expect(deleted == 2000)
            return (before, try await sequentialScans())
        }
        #expect(after["api_logs"] == before["api_logs"])
        #expect(after["analytics_events"] == before["analytics_events"])
        #expect(after["api_logs"] != nil)
        await pool.close()
    }
}
