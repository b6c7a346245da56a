import Contracts
import Foundation
import HTTPClient
import TestSupport
import Testing

/// What an operator reads on a running stack: each service's `/metrics` explains its pool,
/// queries, calls to other services and sagas (and passes `promtool check metrics`), and one
/// order's path through the four services is one grep of the logs for its trace id.
@Suite("End to end: metrics and traces")
struct ObservabilityTests {
    @Test func metricsExplainTheStackAndOneTraceIdFollowsAnOrder() async throws {
        let prometheusPort = try await ShellCommand.freePort()
        let stack = try await StackUnderTest(extra: ["MONITORING": "1", "PROMETHEUS_PORT": String(prometheusPort)])
        try await stack.withRunning {
            let (_, customer, product) = try await stack.customerAndProduct("observed@example.com", stock: 3)
            let productPort = stack.environment["PRODUCT_SERVICE_PORT"]!

            // No traceparent: the gateway starts the trace, and every service continues it.
            let requestID = "observed-\(UUID().uuidString)"
            try await stack.call(
                "POST", "/api/v1/orders", StackUnderTest.order(product.id), token: customer, headers: [("X-Request-ID", requestID)],
                as: OrderResponse.self)
            try await Task.sleep(for: .milliseconds(300))  // the access log line follows the response
            let gatewayLine = try #require(try await logLines(stack, "gateway", containing: requestID).first)
            let traceID = try #require(gatewayLine["trace_id"] as? String)
            #expect(traceID.count == 32)
            for part in ["gateway", "order-service", "user-service", "product-service"] {
                let lines = try await logLines(stack, part, containing: traceID)
                #expect(!lines.isEmpty, "\(part) logged nothing of trace \(traceID)")
                #expect(lines.allSatisfy { $0["request_id"] as? String == requestID }, "\(part): \(lines)")
            }
            let sagaEnd = try await logLines(stack, "order-service", containing: traceID).first { $0["message"] as? String == "order saga ended" }
            #expect(sagaEnd != nil, "the saga's own log lines carry the trace too")

            // A client's traceparent is continued, not replaced.
            let clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
            try await stack.call(
                "GET", "/api/v1/users/me", token: customer, headers: [("traceparent", "00-\(clientTrace)-00f067aa0ba902b7-01")],
                as: UserResponse.self)
            let continued = try await logLines(stack, "user-service", containing: clientTrace)
            #expect(continued.contains { $0["path"] as? String == "/api/v1/users/me" })
            #expect(try await logLines(stack, "gateway", containing: clientTrace).first?["parent_span_id"] as? String == "00f067aa0ba902b7")

            // A declined payment (stock released again) and a refusal for stock.
            var declined = StackUnderTest.order(product.id)
            declined["payment_token"] = "tok_chargeDeclined"
            #expect(try await stack.send("POST", "/api/v1/orders", declined, token: customer).status == 402)
            #expect(try await stack.send("POST", "/api/v1/orders", StackUnderTest.order(product.id, quantity: 5), token: customer).status == 409)
            // Two reads of the product: a miss, then a hit.
            for _ in 0..<2 { try await stack.call("GET", "/api/v1/products/\(product.id)", as: ProductResponse.self) }

            let order = try await metrics(stack, "ORDER_SERVICE_PORT")
            #expect(order.value(#"order_sagas_finished_total{outcome="confirmed",code=""}"#) == 1)
            #expect(order.value(#"order_sagas_finished_total{outcome="failed",code="payment_declined"}"#) == 1)
            #expect(order.value(#"order_sagas_finished_total{outcome="failed",code="insufficient_stock"}"#) == 1)
            #expect(order.value(#"order_saga_step_failures_total{step="charge_payment",code="payment_declined"}"#) == 1)
            #expect(order.value(#"order_saga_compensations_total{step="release_stock",result="completed"}"#) == 1)
            #expect(order.value(#"order_saga_timeout_seconds"#) == 10)
            #expect(order.value(#"db_pool_connections_max{database="order_database"}"#) == 20)
            #expect((order.value(#"db_pool_connections_open{database="order_database"}"#) ?? 0) >= 1)
            #expect((order.value(#"db_server_connections{database="order_database"}"#) ?? 0) >= 1)
            #expect((order.value(#"db_server_connections_max{database="order_database"}"#) ?? 0) > 0)
            #expect((order.value(#"db_pool_acquire_duration_seconds_count{database="order_database"}"#) ?? 0) > 0)
            #expect((order.value(#"db_query_duration_seconds_count{database="order_database",statement="with_order_sagas"}"#) ?? 0) > 0)
            // Three orders reserved stock: three calls to the product service, none failed, circuit closed.
            let upstream = "upstream=\"http://127.0.0.1:\(productPort)\""
            #expect(order.value("http_client_requests_total{\(upstream)}") == 4, "three reservations and one release")
            #expect(order.value("http_client_failures_total{\(upstream)}") == 0)
            #expect(order.value("http_client_circuit_state{\(upstream)}") == 0)

            let catalog = try await metrics(stack, "PRODUCT_SERVICE_PORT")
            #expect((catalog.value(#"product_cache_lookups_total{result="hit"}"#) ?? 0) >= 1)
            #expect((catalog.value(#"product_cache_entries"#) ?? 0) >= 1)
            #expect(catalog.value(#"http_server_requests_total{route="/internal/stock/reservations",method="POST",status="409"}"#) == 1)

            let gateway = try await metrics(stack, "GATEWAY_PORT")
            #expect(gateway.value("gateway_api_logs_queue_capacity") == 50_000)
            #expect(gateway.value("gateway_api_logs_dropped_total") == 0)
            #expect(gateway.value(#"db_pool_connections_max{database="gateway_database"}"#) != nil)
            let user = try await metrics(stack, "USER_SERVICE_PORT")

            // Every metric the alert rules read is one the services publish.
            let rules = try String(contentsOfFile: TestEnvironment.repositoryRoot.appending(path: "deploy/prometheus/alerts.yml").path, encoding: .utf8)
            let published = [order, catalog, gateway, user].map(\.text).joined()
            let used = Set(rules.matches(of: /\b((?:db|http|order|gateway|product)_[a-z_]+)/).map { String($0.output.1) })
            #expect(used.count >= 8)
            for name in used { #expect(published.contains("\n\(name)"), "alerts.yml reads \(name), which no service publishes") }

            // make up MONITORING=1: Prometheus scrapes all four and has loaded the rules.
            let prometheus = "http://127.0.0.1:\(prometheusPort)"
            var healthy: Set<String> = []
            for _ in 0..<40 where healthy.count < 4 {
                let targets = try await stack.client.execute(HTTPClientRequest(url: "\(prometheus)/api/v1/targets?state=active"))
                let decoded = try JSONSerialization.jsonObject(with: Data(targets.body)) as? [String: Any]
                let active = (decoded?["data"] as? [String: Any])?["activeTargets"] as? [[String: Any]] ?? []
                healthy = Set(active.filter { $0["health"] as? String == "up" }.compactMap { ($0["labels"] as? [String: String])?["job"] })
                if healthy.count < 4 { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(healthy.count == 4, "Prometheus scrapes \(healthy)")
            let query = try await stack.client.execute(HTTPClientRequest(url: "\(prometheus)/api/v1/query?query=order_sagas_finished_total"))
            #expect(String(decoding: query.body, as: UTF8.self).contains("payment_declined"))
            let loaded = try await stack.client.execute(HTTPClientRequest(url: "\(prometheus)/api/v1/rules"))
            #expect(String(decoding: loaded.body, as: UTF8.self).contains("OrderSagaStuck"))
        }
    }

    /// A service's `/metrics`, after `promtool check metrics` found nothing to say about it.
    private func metrics(_ stack: StackUnderTest, _ portVariable: String) async throws -> Exposition {
        let url = "http://127.0.0.1:\(stack.environment[portVariable]!)/metrics"
        let lint = try await ShellCommand.bash("curl -sf '\(url)' | promtool check metrics 2>&1; echo \"exit=$?\"")
        #expect(lint.trimmingCharacters(in: .whitespacesAndNewlines) == "exit=0", "\(portVariable): \(lint)")
        let response = try await stack.client.execute(HTTPClientRequest(url: url))
        return Exposition(text: String(decoding: response.body, as: UTF8.self))
    }

    /// The JSON log lines of one part of the stack that contain `text`.
    private func logLines(_ stack: StackUnderTest, _ part: String, containing text: String) async throws -> [[String: Any]] {
        let log = try String(contentsOfFile: "\(stack.directory)/logs/\(part).log", encoding: .utf8)
        return log.split(separator: "\n").filter { $0.contains(text) }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}

/// Prometheus text, read by series.
private struct Exposition {
    let text: String

    /// The value of the series written exactly as `series` (name and labels in the order the service writes them).
    func value(_ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}
