import Contracts
import Foundation
import HTTPClient
import TestSupport
import Testing

/// Every restore path of `make` on a running stack, seen through the gateway: afterwards the
/// services answer from the restored data (no cache keeps the old), and take new work.
@Suite("End to end: point-in-time and logical restores, resets")
struct StackRecoveryTests {
    @Test func restoresBringBackExactlyWhatWasThereAndTheServicesAnswerFromIt() async throws {
        let stack = try await StackUnderTest()
        try await stack.withRunning {
            let (admin, customer, product) = try await stack.customerAndProduct("recovery@example.com")
            let productPath = "/api/v1/products/\(product.id)"
            func price() async throws -> String {
                try await stack.call("GET", productPath, as: ProductResponse.self).0.price.description
            }
            func setPrice(_ newPrice: String) async throws {
                try await stack.call("PATCH", productPath, ["price": newPrice], token: admin, as: ProductResponse.self)
                #expect(try await price() == newPrice, "the product service serves the price it was just given")
            }
            func placeOrder() async throws -> Int {
                try await stack.call("POST", "/api/v1/orders", StackUnderTest.order(product.id), token: customer, as: OrderResponse.self).0.id
            }
            func orders() async throws -> Set<Int> {
                Set(try await stack.call("GET", "/api/v1/orders?limit=100", token: customer, as: Page<OrderResponse>.self).0.data.map(\.id))
            }

            // A logical dump and a base backup of every database.
            let backup = try await stack.make("backup")
            let dump = try #require(backup.split(separator: "\n").first { $0.hasSuffix(".sql") && $0.contains("/backup_product_") })
            #expect(backup.contains("order-db: base backup in"), "\(backup)")

            // Point in time, order database: orders A, the instant, orders B; back to the instant.
            let ordersA: Set = [try await placeOrder(), try await placeOrder()]
            try await Task.sleep(for: .seconds(1))
            let instant = Self.rfc3339(Date())
            try await Task.sleep(for: .seconds(1))
            let ordersB: Set = [try await placeOrder(), try await placeOrder()]
            #expect(try await orders() == ordersA.union(ordersB))
            let restored = try await stack.make("restore DB=order AT='\(instant)'")
            #expect(restored.contains("order-db: restored to \(instant)"), "\(restored)")
            #expect(try await orders() == ordersA, "exactly the orders placed before \(instant)")
            let afterRestore = try await placeOrder()
            #expect(try await orders() == ordersA.union([afterRestore]), "the restored order service takes new orders")

            // Logical restore, product database: a price changed after the dump, and seen (so
            // cached), is the dump's again.
            try await setPrice("30.00")
            try await stack.make("restore DB=product FILE='\(dump)'")
            #expect(try await price() == "24.00", "the product service served a price from before the restore")

            // Point in time, product database: the price at an instant, changed and seen, back.
            try await Task.sleep(for: .seconds(1))
            let priced = Self.rfc3339(Date())
            try await Task.sleep(for: .seconds(1))
            try await setPrice("40.00")
            try await stack.make("restore DB=product AT='\(priced)'")
            #expect(try await price() == "24.00")

            // Reset: the product is gone, not served from memory.
            try await stack.make("db-reset DB=product")
            #expect(try await stack.send("GET", productPath).status == 404)

            // The audit trail kept every admin action and operation across the restores and the
            // reset (the price changes the restores undid included), newest first.
            let trail = try await stack.call("GET", "/api/v1/admin/audit?limit=100", token: admin, as: Page<AuditEntry>.self).0.data
            #expect(trail == trail.sorted(by: AuditEntry.newestFirst))
            let prices = trail.filter { $0.resource == "products" && $0.action == "update" && $0.resourceID == String(product.id) }
                .map { "\($0.before?["price"]?.intValue ?? -1)>\($0.after?["price"]?.intValue ?? -1)" }
            #expect(prices == ["24>40", "24>30"], "\(trail)")
            #expect(trail.first { $0.resource == "products" }?.actorRole == "admin")
            let operations = trail.filter { $0.resource == "database" }.map { "\($0.service) \($0.action) \($0.actor.hasPrefix("operator:"))" }
            #expect(operations == ["product reset true", "product restore true", "product restore true", "order restore true"], "\(operations)")
            #expect(try await stack.send("GET", "/api/v1/admin/audit", token: customer).status == 403)

            // Every service is up on its restored database.
            #expect(try await stack.send("GET", "/health").status == 200)
            // Retention: one base backup kept per database, the archive trimmed to what it needs.
            let pruned = try await stack.make("backup-prune BACKUP_KEEP=1")
            #expect(pruned.contains("order-db: kept 1 base backup(s)"), "\(pruned)")
        }
    }

    /// A time with milliseconds in UTC, as `make restore AT=` takes it (`2026-12-01T10:15:00.250Z`).
    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
