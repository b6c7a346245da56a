import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Postgres
import ServiceKit
import TestSupport
import Testing

/// A small application with the shared defaults and a few routes that fail in known ways.
private func makeApplication(readiness: [ReadinessCheck] = [], readinessTimeout: Duration = .seconds(2)) -> some ApplicationProtocol {
    struct Item: Decodable { var name: String; var quantity: Int }
    struct Boom: Error {}
    let router = Router(context: ServiceRequestContext.self)
    router.addServiceDefaults(readiness: readiness, readinessTimeout: readinessTimeout)
    router.post("/items") { request, context -> Response in
        let item = try await request.decode(as: Item.self, context: context)
        return Response(status: .created, body: .init(byteBuffer: ByteBuffer(string: "\(item.name) x\(item.quantity)")))
    }
    router.get("/boom") { _, _ -> String in throw Boom() }
    router.get("/taken") { _, _ -> String in
        throw PostgresError(kind: .server, sqlState: .uniqueViolation, message: "duplicate key value violates unique constraint", constraint: "products_sku_key")
    }
    router.get("/database-down") { _, _ -> String in
        throw PostgresError(kind: .connectionFailed, message: "connection refused")
    }
    router.get("/invalid") { _, _ -> String in throw APIError.validation(["price": "must be at least 0"]) }
    router.get("/search") { request, _ -> String in "q=\(try request.query("q") ?? "-") limit=\(try request.pageRequest().limit)" }
    router.get("/things/:id") { _, context -> String in try context.parameters.require("id") }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                       logger: TestEnvironment.logger("service-kit"))
}

private func envelope(_ response: TestResponse) throws -> ErrorEnvelope {
    try JSONDecoder().decode(ErrorEnvelope.self, from: Data(buffer: response.body))
}

@Suite("Service defaults: errors, request ids, health, metrics")
struct ServiceDefaultsTests {
    @Test func unmatchedRouteIsAnEnvelopeWithTheRequestID() async throws {
        try await makeApplication().test(.live) { client in
            do {
                let response = try await client.send("/no/such/route", .get)
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try envelope(response)
                #expect(body.error.code == "not_found")
                #expect(body.error.requestID == response.headers[.requestID])
                #expect(body.error.requestID?.isEmpty == false)
            }
        }
    }

    @Test func theClientsRequestIDIsKeptAndAnUnusableOneReplaced() async throws {
        try await makeApplication().test(.live) { client in
            do {
                let response = try await client.send("/health/live", .get, headers: [.requestID: "abc-123"])
                #expect(response.headers[.requestID] == "abc-123")
            }
            let tooLong = String(repeating: "x", count: 200)
            do {
                let response = try await client.send("/health/live", .get, headers: [.requestID: tooLong])
                #expect(response.headers[.requestID] != tooLong)
                #expect(response.headers[.requestID]?.count == 36)
            }
        }
    }

    @Test func malformedOrMistypedJSONIsBadRequest() async throws {
        try await makeApplication().test(.live) { client in
            for body in [#"{"name": "pen", "#, #"{"name": "pen", "quantity": "three"}"#, #"[1,2]"#] {
                do {
                    let response = try await client.send("/items", .post, body: ByteBuffer(string: body))
                    #expect(response.status == .badRequest)
                    #expect(try envelope(response).error.code == "bad_request")
                }
            }
            #expect(try await client.send("/items", .post, body: ByteBuffer(string: #"{"name":"pen","quantity":3}"#)).status == .created)
        }
    }

    @Test func anOversizedBodyIsPayloadTooLarge() async throws {
        try await makeApplication().test(.live) { client in
            let body = ByteBuffer(repeating: UInt8(ascii: "a"), count: 3 << 20)
            do {
                let response = try await client.send("/items", .post, body: body)
                #expect(response.status == .contentTooLarge)
                #expect(try envelope(response).error.code == "payload_too_large")
            }
        }
    }

    /// CONTRACT: unknown query values are 400 `bad_request`. A value with a NUL character
    /// cannot be stored or looked up in PostgreSQL; it used to reach the database and come
    /// back as 422 (found by `make fuzz` on `?user_uid=` of two list routes).
    @Test func aQueryValueWithANULCharacterIsBadRequest() async throws {
        try await makeApplication().test(.live) { client in
            let refused = try await client.send("/search?q=a%00b", .get)
            #expect(refused.status == .badRequest)
            #expect(try envelope(refused).error.code == "bad_request")
            #expect(try await client.send("/search?limit=1%00", .get).status == .badRequest)
            // A percent sign followed by 00 is text, not a NUL.
            let kept = try await client.send("/search?q=a%2500b", .get)
            #expect(kept.status == .ok)
            #expect(String(buffer: kept.body) == "q=a%00b limit=20")
            // Path parameters arrive as sent, not percent-decoded, so no NUL comes through them.
            let path = try await client.send("/things/a%00b", .get)
            #expect(String(buffer: path.body) == "a%00b")
        }
    }

    @Test func errorsMapToTheContractsCodes() async throws {
        try await makeApplication().test(.live) { client in
            do {
                let response = try await client.send("/boom", .get)
                #expect(response.status == .internalServerError)
                #expect(try envelope(response).error.code == "internal_error")
            }
            do {
                let response = try await client.send("/taken", .get)
                #expect(response.status == .conflict)
                let body = try envelope(response)
                #expect(body.error.code == "conflict")
                #expect(body.error.details?["constraint"] == .string("products_sku_key"))
            }
            do {
                let response = try await client.send("/database-down", .get)
                #expect(response.status == .serviceUnavailable)
                #expect(try envelope(response).error.code == "upstream_unavailable")
            }
            do {
                let response = try await client.send("/invalid", .get)
                #expect(response.status == .unprocessableContent)
                let body = try envelope(response)
                #expect(body.error.details?["fields"] == .object(["price": .string("must be at least 0")]))
            }
        }
    }

    @Test func readinessChecksTheDatabase() async throws {
        let pool = try await TestDatabase.pool("ready", maxConnections: 2)
        // The check opens the pool's first connection: on a busy machine that outlasts 2 s.
        try await makeApplication(readiness: [.database(pool)], readinessTimeout: .seconds(60)).test(.live) { client in
            do {
                let response = try await client.send("/health/ready", .get)
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(HealthReport.self, from: Data(buffer: response.body))
                #expect(report.checks == ["database": "ok"])
            }
        }
        await pool.close()
    }

    @Test func readinessFailsWhenTheDatabaseIsDownButLivenessDoesNot() async throws {
        let port = try await ShellCommand.freePort()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(port: port, user: "nobody", password: "", database: "none", minIdleConnections: 0),
            logger: TestEnvironment.logger("down"))
        // A refused connection is "failed"; the long bound keeps a busy machine from turning it into "timeout".
        try await makeApplication(readiness: [.database(pool)], readinessTimeout: .seconds(60)).test(.live) { client in
            do {
                let response = try await client.send("/health/ready", .get)
                #expect(response.status == .serviceUnavailable)
                let report = try JSONDecoder().decode(HealthReport.self, from: Data(buffer: response.body))
                #expect(report.status == "degraded")
                #expect(report.checks?["database"] == "failed")
            }
            #expect(try await client.send("/health/live", .get).status == .ok)
        }
        await pool.close()
    }

    @Test func metricsArePrometheusText() async throws {
        Observability.bootstrap(service: "service-kit-tests", logLevel: .critical)
        try await makeApplication().test(.live) { client in
            _ = try await client.send("/health/live", .get)
            do {
                let response = try await client.send("/metrics", .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE"))
                // Prometheus' names, and a help line before each described metric's type line.
                #expect(text.contains("# HELP http_server_requests_total Requests answered, by route, method and status.\n# TYPE http_server_requests_total counter"))
                #expect(text.contains(#"http_server_requests_total{route="/health/live",method="GET",status="200"} "#))
                #expect(!text.contains("hb_requests"))
            }
        }
    }
}
