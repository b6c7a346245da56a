import Contracts
import Foundation
import HTTPClient
import TestSupport
import Testing

/// The operator's page at `/admin/`, loaded by headless Chromium against a running stack: what
/// it renders are the numbers the admin API answers, and those are what happened (the orders
/// placed, failed and cancelled, their revenue, the analytics events sent, the failed request).
/// The screenshot goes to `DASHBOARD_SCREENSHOT` (the README's is docs/images/dashboard.png).
@Suite("End to end: the operator's dashboard in a real browser")
struct DashboardTests {
    @Test func theRenderedNumbersAreTheAPIsAndWhatHappened() async throws {
        let stack = try await StackUnderTest()
        try await stack.withRunning {
            let (admin, customer, product) = try await stack.customerAndProduct("dashboard@example.com")
            var revenue = Money(cents: 0)
            for quantity in [1, 2] {
                let order = try await stack.call("POST", "/api/v1/orders", StackUnderTest.order(product.id, quantity: quantity), token: customer, as: OrderResponse.self).0
                revenue = Money(cents: revenue.cents + order.totalAmount.cents)
            }
            var declined = StackUnderTest.order(product.id)
            declined["payment_token"] = "tok_chargeDeclined"
            #expect(try await stack.send("POST", "/api/v1/orders", declined, token: customer).status == 402)
            let toCancel = try await stack.call("POST", "/api/v1/orders", StackUnderTest.order(product.id), token: customer, as: OrderResponse.self).0
            try await stack.call("POST", "/api/v1/orders/\(toCancel.id)/cancel", token: customer, as: OrderResponse.self)
            let events = ["events": [["event_name": "page_view"], ["event_name": "page_view"], ["event_name": "add_to_cart"]]]
            #expect(try await stack.send("POST", "/api/v1/analytics/events", events).status == 202)
            let missing = "dashboard-missing-\(UUID().uuidString)"
            #expect(try await stack.send("GET", "/api/v1/products/999999", headers: [("X-Request-ID", missing)]).status == 404)

            // api_logs rows are written within seconds: wait for the 404's.
            var report: [String: Any] = [:]
            for _ in 0..<40 {
                report = try await json(stack, "/api/v1/admin/dashboard", token: admin)
                if failures(report).contains(where: { $0["request_id"] as? String == missing }) { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            let since = ISO8601DateFormatter().string(from: Date(timeIntervalSinceNow: -7 * 86400))
            let summary = try await json(stack, "/api/v1/admin/analytics/summary?since=\(since)", token: admin)

            let page = try await render(stack, token: admin)
            #expect(page["state"] == "ready", "the page did not finish loading: \(page)")
            for part in ["gateway", "user", "product", "order"] { #expect(page["health.\(part)"] == "ok") }

            // Traffic of the services (the page's own requests are the gateway's, so these did not move).
            let traffic = try #require(report["traffic"] as? [[String: Any]])
            for service in ["user", "product", "order"] {
                let row = try #require(traffic.first { $0["service"] as? String == service }, "no \(service) traffic")
                let requests = try #require(row["requests"] as? Int)
                #expect(page["traffic.\(service).requests"] == String(requests))
                #expect(page["traffic.\(service).per_minute"] == String(format: "%.2f", Double(requests) / 60))
                #expect(page["traffic.\(service).error_share"] == String(format: "%.1f%%", (row["error_share"] as? Double ?? -1) * 100))
                #expect(page["traffic.\(service).p95_ms"] == String(format: "%.1f ms", row["p95_ms"] as? Double ?? -1))
            }
            #expect(page["traffic.order.requests"].flatMap(Int.init) ?? 0 >= 5, "five order requests were made")

            // Orders: the API's figures, and what the test did.
            let orders = try #require(report["orders"] as? [String: Any])
            let hours = try #require(orders["hours"] as? [[String: Any]])
            func total(_ key: String) -> Int { hours.reduce(0) { $0 + ($1[key] as? Int ?? 0) } }
            #expect(page["orders.confirmed"] == String(total("confirmed")))
            #expect(page["orders.confirmed"] == "2")
            #expect(page["orders.failed"] == "1")
            #expect(page["orders.cancelled"] == "1")
            #expect(page["orders.revenue"] == revenue.description, "revenue is the confirmed orders' totals")
            let top = try #require((orders["top_products"] as? [[String: Any]])?.first)
            #expect(page["top.0.product_id"] == String(product.id))
            #expect(page["top.0.product_id"] == (top["product_id"] as? Int).map(String.init))
            #expect(page["top.0.units"] == "3")
            #expect(page["top.0.revenue"] == top["revenue"] as? String)

            // Analytics per day and in all.
            #expect(page["analytics.total"] == "3")
            #expect(page["analytics.total"] == (summary["total"] as? Int).map(String.init))
            for (day, count) in summary["by_day"] as? [String: Int] ?? [:] { #expect(page["analytics.\(day)"] == String(count)) }

            // The latest failed requests, newest first, with their request ids.
            let listed = failures(report).compactMap { $0["request_id"] as? String }
            #expect(listed.contains(missing))
            for (index, requestID) in listed.enumerated() { #expect(page["failure.\(index).request_id"] == requestID) }
            let position = try #require(listed.firstIndex(of: missing))
            #expect(page["failure.\(position).status_code"] == "404")

            // Without a token the page offers a sign-in and shows nothing.
            let anonymous = try await render(stack, token: nil)
            #expect(anonymous["state"] == "loading" && anonymous["orders.confirmed"] == nil && anonymous["sign-in"] == "shown")
            // The data behind it is the admin's alone.
            #expect(try await stack.send("GET", "/api/v1/admin/dashboard", token: customer).status == 403)
            #expect(try await stack.send("GET", "/api/v1/admin/dashboard").status == 401)
        }
    }

    private func failures(_ report: [String: Any]) -> [[String: Any]] { report["failures"] as? [[String: Any]] ?? [] }

    private func json(_ stack: StackUnderTest, _ path: String, token: String) async throws -> [String: Any] {
        let response = try await stack.send("GET", path, token: token)
        #expect(response.status == 200, "\(path): \(response.status)")
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// The page as Chromium renders it (scripts run, data fetched): every `data-metric` element's
    /// text, `state` (the page's data-state) and `sign-in` (`shown` when the form is visible).
    /// With a token, a screenshot is taken too.
    private func render(_ stack: StackUnderTest, token: String?) async throws -> [String: String] {
        let url = "\(stack.gateway)/admin/" + (token.map { "#token=\($0)" } ?? "")
        let base = ProcessInfo.processInfo.environment["TEST_WORK_DIR"] ?? NSTemporaryDirectory()
        let profile = "\(base)/chromium-\(UUID().uuidString.prefix(8))"
        let chromium = "chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir='\(profile)' --virtual-time-budget=10000"
        let dom = try await ShellCommand.bash("\(chromium) --dump-dom '\(url)' 2>/dev/null")
        if token != nil {
            let screenshot = ProcessInfo.processInfo.environment["DASHBOARD_SCREENSHOT"] ?? "\(base)/dashboard.png"
            try await ShellCommand.bash("\(chromium) --window-size=1200,2300 --screenshot='\(screenshot)' '\(url)' >/dev/null 2>&1")
            let size = (try FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
            #expect(size > 10_000, "the screenshot is \(size) bytes")
        }
        var values: [String: String] = [:]
        for match in dom.matches(of: /<[a-z]+ [^>]*data-metric="([^"]+)"[^>]*>([^<]*)</) {
            values[String(match.output.1)] = String(match.output.2).replacingOccurrences(of: "&amp;", with: "&")
        }
        if let state = dom.firstMatch(of: /id="dashboard" data-state="([a-z]+)"/) { values["state"] = String(state.output.1) }
        if dom.firstMatch(of: /<form id="sign-in">/) != nil { values["sign-in"] = "shown" }
        return values
    }
}
