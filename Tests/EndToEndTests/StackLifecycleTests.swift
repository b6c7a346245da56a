import Contracts
import Foundation
import HTTPClient
import TestSupport
import Testing

@Suite("End to end: make up and make down")
struct StackLifecycleTests {
    static let parts = [
        "user-db", "product-db", "order-db", "gateway-db", "rate-limit-store", "user-service", "product-service", "order-service", "gateway",
    ]
    static let services = ["user-service", "product-service", "order-service", "gateway"]

    /// `tls`: `DB_TLS=1`, the database servers take TLS connections only and the services verify them.
    @Test(arguments: [false, true])
    func makeUpServesHealthThroughTheGatewayAndMakeDownStopsEverything(tls: Bool) async throws {
        for binary in Self.services {
            let path = TestEnvironment.binDirectory.appending(path: binary).path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw TestSetupError("\(path) is not built: run `make test`, which builds it first")
            }
        }
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let stackDirectory = "\(base)/stack-\(UInt32.random(in: 0...UInt32.max))"
        var environment = [
            "STACK_DIR": stackDirectory, "SKIP_BUILD": "1", "BIN_DIR": TestEnvironment.binDirectory.path,
            "BOOTSTRAP_ADMIN_EMAIL": Self.admin.email, "BOOTSTRAP_ADMIN_PASSWORD": Self.admin.password,
            "DB_TLS": tls ? "1" : "0",
        ]
        for name in ["GATEWAY_PORT", "USER_SERVICE_PORT", "PRODUCT_SERVICE_PORT", "ORDER_SERVICE_PORT",
                     "USER_DB_PORT", "PRODUCT_DB_PORT", "ORDER_DB_PORT", "GATEWAY_DB_PORT", "REDIS_PORT"] {
            environment[name] = String(try await ShellCommand.freePort())
        }
        let gateway = "http://127.0.0.1:\(environment["GATEWAY_PORT"]!)"

        do {
            let output = try await ShellCommand.bash("make up", environment: environment)
            #expect(output.contains(gateway))
            try await checkRunningStack(gateway: gateway)
            try await placeAndCancelAnOrder(gateway: gateway)
            if tls { try await checkDatabaseTLS(environment) }
        } catch {
            _ = try? await ShellCommand.bash("make down", environment: environment)
            throw error
        }

        let pids = try Self.parts.map { part -> Int32 in
            let text = try String(contentsOfFile: "\(stackDirectory)/run/\(part).pid", encoding: .utf8)
            return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        #expect(pids.allSatisfy { $0 > 0 })
        #expect(Self.parts.allSatisfy { FileManager.default.fileExists(atPath: "\(stackDirectory)/logs/\($0).log") })
        let gatewayLog = try String(contentsOfFile: "\(stackDirectory)/logs/gateway.log", encoding: .utf8)
        #expect(gatewayLog.contains("rate limits shared through Redis"), "the gateway did not reach the stack's Redis")

        try await ShellCommand.bash("make down", environment: environment)
        for service in Self.services {
            // SIGTERM ran the graceful shutdown to its end (not the SIGKILL fallback).
            let log = try String(contentsOfFile: "\(stackDirectory)/logs/\(service).log", encoding: .utf8)
            #expect(log.contains(#""message":"stopped""#), "\(service) did not shut down gracefully")
        }
        for (part, pid) in zip(Self.parts, pids) {
            #expect(!Self.isRunning(pid), "\(part) (pid \(pid)) still runs after make down")
            #expect(!FileManager.default.fileExists(atPath: "\(stackDirectory)/run/\(part).pid"))
        }
    }

    private func checkRunningStack(gateway: String) async throws {
        let client = CurlHTTPClient()
        let health = try await client.execute(HTTPClientRequest(url: "\(gateway)/health"))
        #expect(health.status == 200)
        let report = try health.decode(StackHealth.self)
        #expect(report.status == "ok")
        #expect(Set(report.services.keys) == ["user", "product", "order", "gateway"])

        // A catalog path goes through the gateway to the product service and back.
        let routed = try await client.execute(HTTPClientRequest(url: "\(gateway)/api/v1/products/1", headers: [("X-Request-ID", "e2e-1")]))
        #expect(routed.header("X-Request-ID") == "e2e-1")
        #expect(routed.errorEnvelope?.error.requestID == "e2e-1")
        let internalRoute = try await client.execute(HTTPClientRequest(url: "\(gateway)/internal/users/abc"))
        #expect(internalRoute.status == 404)
    }

    /// Every service's connections to its database are encrypted, and one without TLS is refused.
    private func checkDatabaseTLS(_ environment: [String: String]) async throws {
        for (variable, user, password) in [("USER_DB_PORT", "user_user", "user_pass"), ("PRODUCT_DB_PORT", "product_user", "product_pass"),
                                           ("ORDER_DB_PORT", "order_user", "order_pass"), ("GATEWAY_DB_PORT", "gateway_user", "gateway_pass")] {
            let port = environment[variable]!
            let counts = try await ShellCommand.bash(
                "psql -X -tA -h /tmp -p \(port) -U postgres -d postgres -c \"SELECT count(*) FILTER (WHERE s.ssl) || ' of ' || count(*) "
                    + "FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = '\(user)' AND a.client_addr IS NOT NULL\"")
            let parts = counts.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: " of ")
            #expect(parts.count == 2 && parts[0] == parts[1] && parts[0] != "0", "\(user): \(counts) connections encrypted")
            // The service's own credentials: over TLS they get in, without it they are refused.
            let login = "PGPASSWORD=\(password) psql -X -tA 'host=127.0.0.1 port=\(port) user=\(user) dbname=postgres"
            #expect(try await ShellCommand.bash("\(login) sslmode=require' -c 'SELECT 1'").contains("1"))
            do {
                let plain = try await ShellCommand.bash("\(login) sslmode=disable' -c 'SELECT 1'")
                Issue.record("\(user): a connection without TLS was let in: \(plain)")
            } catch {
                #expect("\(error)".contains("pg_hba.conf rejects connection"), "\(user): \(error)")
            }
        }
    }

    static let admin = (email: "e2e-admin@example.com", password: "e2e-admin-password")

    /// The order saga across all four processes: register, browse, order (and replay), cancel.
    private func placeAndCancelAnOrder(gateway: String) async throws {
        let client = CurlHTTPClient()
        func call<T: Decodable>(
            _ method: String, _ path: String, _ body: [String: Any]? = nil, token: String? = nil, headers: [(String, String)] = [],
            as type: T.Type
        ) async throws -> (T, HTTPClientResponse) {
            var all = headers.map { (name: $0.0, value: $0.1) } + [("Content-Type", "application/json")]
            if let token { all.append(("Authorization", "Bearer \(token)")) }
            let response = try await client.execute(HTTPClientRequest(
                method: method, url: gateway + path, headers: all,
                body: try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) }))
            guard response.isSuccess else { throw TestSetupError("\(method) \(path): \(response.status) \(String(decoding: response.body, as: UTF8.self))") }
            return (try response.decode(T.self, decoder: contractDecoder), response)
        }
        let admin = try await call("POST", "/api/v1/auth/login", ["email": Self.admin.email, "password": Self.admin.password], as: AuthResponse.self).0
        let customer = try await call(
            "POST", "/api/v1/auth/register", ["email": "e2e@example.com", "password": "password-e2e", "first_name": "E", "last_name": "E"],
            as: AuthResponse.self).0
        let category = try await call("POST", "/api/v1/categories", ["name": "E2E"], token: admin.token.idToken, as: CategoryResponse.self).0
        let product = try await call(
            "POST", "/api/v1/products", ["name": "Kettle", "price": "24.00", "stock": 5, "category_id": category.id, "sku": "E2E-1"],
            token: admin.token.idToken, as: ProductResponse.self).0
        let order = ["items": [["product_id": product.id, "quantity": 2]], "payment_method": "card", "payment_token": "tok_visa",
                     "shipping_method": "standard"] as [String: Any]
        let (placed, first) = try await call(
            "POST", "/api/v1/orders", order, token: customer.token.idToken, headers: [("Idempotency-Key", "e2e-order")], as: OrderResponse.self)
        #expect(first.status == 201)
        #expect(placed.status == "confirmed")
        #expect(placed.totalAmount == Money(string: "56.84"))  // 48.00 + 3.84 tax + 5.00 shipping
        #expect(first.header("RateLimit-Limit") != nil)
        let (replayed, again) = try await call(
            "POST", "/api/v1/orders", order, token: customer.token.idToken, headers: [("Idempotency-Key", "e2e-order")], as: OrderResponse.self)
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(replayed.id == placed.id)
        #expect(try await call("GET", "/api/v1/products/\(product.id)", as: ProductResponse.self).0.stock == 3)
        let cancelled = try await call("POST", "/api/v1/orders/\(placed.id)/cancel", token: customer.token.idToken, as: OrderResponse.self).0
        #expect(cancelled.status == "cancelled")
        #expect(cancelled.paymentStatus == "refunded")
        #expect(try await call("GET", "/api/v1/products/\(product.id)", as: ProductResponse.self).0.stock == 5)
    }

    /// Alive and not a zombie (a stopped server whose parent has not reaped it yet is gone for our purposes).
    static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }
}
