import Contracts
import Foundation
import HTTPClient
import ServiceKit
import TestSupport
import Testing

@Suite("End to end: make up and make down")
struct StackLifecycleTests {
    static let parts = [
        "user-db", "product-db", "order-db", "gateway-db", "rate-limit-store", "user-service", "product-service", "order-service", "gateway",
    ]
    /// `tls`: `DB_TLS=1`, the database servers take TLS connections only and the services verify them.
    @Test(arguments: [false, true])
    func makeUpServesHealthThroughTheGatewayAndMakeDownStopsEverything(tls: Bool) async throws {
        let stack = try await StackUnderTest(extra: ["DB_TLS": tls ? "1" : "0"])
        let stackDirectory = stack.directory
        let gateway = stack.gateway

        do {
            let output = try await stack.make("up")
            #expect(output.contains(gateway))
            try await checkRunningStack(gateway: gateway)
            try await placeAndCancelAnOrder(stack)
            try await checkStatus(stack)
            if tls { try await checkDatabaseTLS(stack.environment) }
        } catch {
            _ = try? await stack.make("down")
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

        try await stack.make("down")
        for service in StackUnderTest.services {
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

    /// `make status`: a line per part with its pid, port and `ok`; databases with size and connections.
    private func checkStatus(_ stack: StackUnderTest) async throws {
        let lines = try await stack.make("status").split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        for part in Self.parts {
            let line = try #require(lines.first { $0.first.map(String.init) == part }, "make status has no line for \(part)")
            let pid = try String(contentsOfFile: "\(stack.directory)/run/\(part).pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(line.count >= 4 && String(line[1]) == pid && String(line[3]) == "ok", "\(part): \(line)")
            if part.hasSuffix("-db") {
                #expect(line.count == 8 && line[6] == "of", "\(part): \(line)")  // size, then "5 of 200" connections
            }
        }
    }

    /// Every service's connections to its database are encrypted and made by its runtime role,
    /// and one without TLS is refused.
    private func checkDatabaseTLS(_ environment: [String: String]) async throws {
        for (variable, user, password) in [("USER_DB_PORT", "user_app", "user_app_pass"), ("PRODUCT_DB_PORT", "product_app", "product_app_pass"),
                                           ("ORDER_DB_PORT", "order_app", "order_app_pass"), ("GATEWAY_DB_PORT", "gateway_app", "gateway_app_pass")] {
            let port = environment[variable]!
            let counts = try await ShellCommand.bash(
                "psql -X -tA -h /tmp -p \(port) -U postgres -d postgres -c \"SELECT count(*) FILTER (WHERE s.ssl) || ' of ' || count(*) "
                    + "FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = '\(user)' AND a.client_addr IS NOT NULL\"")
            let parts = counts.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: " of ")
            #expect(parts.count == 2 && parts[0] == parts[1] && parts[0] != "0", "\(user): \(counts) connections encrypted")
            // The service's own credentials: over TLS they get in, without it they are refused.
            let database = user.replacingOccurrences(of: "_app", with: "_database")
            let login = "PGPASSWORD=\(password) psql -X -tA 'host=127.0.0.1 port=\(port) user=\(user) dbname=\(database)"
            #expect(try await ShellCommand.bash("\(login) sslmode=require' -c 'SELECT 1'").contains("1"))
            do {
                let plain = try await ShellCommand.bash("\(login) sslmode=disable' -c 'SELECT 1'")
                Issue.record("\(user): a connection without TLS was let in: \(plain)")
            } catch {
                #expect("\(error)".contains("pg_hba.conf rejects connection"), "\(user): \(error)")
            }
        }
    }

    /// The order saga across all four processes: register, browse, order (and replay), cancel.
    private func placeAndCancelAnOrder(_ stack: StackUnderTest) async throws {
        let (admin, customer, product) = try await stack.customerAndProduct("e2e@example.com", stock: 5)
        let order = StackUnderTest.order(product.id, quantity: 2)
        let (placed, first) = try await stack.call(
            "POST", "/api/v1/orders", order, token: customer, headers: [("Idempotency-Key", "e2e-order")], as: OrderResponse.self)
        #expect(first.status == 201)
        #expect(placed.status == "confirmed")
        #expect(placed.totalAmount == Money(string: "56.84"))  // 48.00 + 3.84 tax + 5.00 shipping
        #expect(first.header("RateLimit-Limit") != nil)
        let (replayed, again) = try await stack.call(
            "POST", "/api/v1/orders", order, token: customer, headers: [("Idempotency-Key", "e2e-order")], as: OrderResponse.self)
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(replayed.id == placed.id)
        #expect(try await stack.call("GET", "/api/v1/products/\(product.id)", as: ProductResponse.self).0.stock == 3)
        let cancelled = try await stack.call("POST", "/api/v1/orders/\(placed.id)/cancel", token: customer, as: OrderResponse.self).0
        #expect(cancelled.status == "cancelled")
        #expect(cancelled.paymentStatus == "refunded")
        #expect(try await stack.call("GET", "/api/v1/products/\(product.id)", as: ProductResponse.self).0.stock == 5)

        // The customer's data export gathers it from three services; the admin's holds none of it.
        let review = try await stack.call(
            "POST", "/api/v1/products/\(product.id)/reviews", ["rating": 4, "title": "Boils fast"], token: customer, as: ReviewResponse.self).0
        struct Export: Decodable {
            var profile: UserResponse
            var sessions: [SessionResponse]
            var orders: [OrderResponse]
            var reviews: [ReviewResponse]
        }
        let export = try await stack.call("GET", "/api/v1/users/me/export", token: customer, as: Export.self).0
        #expect(export.profile.email == "e2e@example.com")
        #expect(export.sessions.count == 1)
        #expect(export.orders.map(\.id) == [placed.id] && export.orders.first?.status == "cancelled")
        #expect(export.orders.first?.items.map(\.productID) == [product.id])
        #expect(export.reviews.map(\.id) == [review.id])
        let adminExport = try await stack.call("GET", "/api/v1/users/me/export", token: admin, as: Export.self).0
        #expect(adminExport.orders.isEmpty && adminExport.reviews.isEmpty && adminExport.profile.email == StackUnderTest.admin.email)
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
