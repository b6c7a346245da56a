import Contracts
import Foundation
import HummingbirdTesting
import NIOCore
import Postgres
import Primitives
import ServiceKit
import TestSupport
import Testing

@testable import ProductService

/// The cache of the public product view over HTTP: it serves what it holds until a change is
/// announced, forgets everything when its listener loses the database, and never hides a
/// change made through the service from the next read.
@Suite("Product service: cache of the public view")
struct ProductCacheServiceTests {
    @Test func theCacheServesUntilAChangeIsAnnounced() async throws {
        try await withProductServiceAndDatabase { client, tokens, database in
            let category = try await client.createCategory("Lamps", admin: tokens.admin)
            let lamp = try await client.product("Lamp", category: category.id, admin: tokens.admin)
            let cached = try await waitUntilCached(lamp.id, client, database)

            // Admins read the database, not the cache.
            let fresh = try await name(of: lamp.id, client, token: tokens.admin)
            #expect(fresh != cached)
            // A change made by anyone (here psql's way, with the trigger) reaches the cache.
            try await database.query("UPDATE products SET name = 'Announced' WHERE id = \(lamp.id)")
            #expect(try await eventually { try await name(of: lamp.id, client) == "Announced" })
        }
    }

    @Test func aLostListenerEmptiesTheCacheUntilItIsBack() async throws {
        try await withProductServiceAndDatabase { client, tokens, database in
            let category = try await client.createCategory("Desks", admin: tokens.admin)
            let desk = try await client.product("Desk", category: category.id, admin: tokens.admin)
            let cached = try await waitUntilCached(desk.id, client, database)

            let terminated = try await database.query(
                """
                SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'product-service-listener'
                """)
            #expect(terminated.count == 1)
            // What the cache held may have missed changes: it is dropped, and reads go to the database.
            #expect(try await eventually { try await name(of: desk.id, client) != cached })
            #expect(try await eventually { try await listeners(database) == 1 })
            try await database.query("UPDATE products SET name = 'Back' WHERE id = \(desk.id)")
            #expect(try await eventually { try await name(of: desk.id, client) == "Back" })
        }
    }

    @Test func changesThroughTheServiceAreSeenByTheNextRead() async throws {
        try await withProductServiceAndDatabase { client, tokens, database in
            let category = try await client.createCategory("Chairs", admin: tokens.admin)
            let chair = try await client.product("Chair", category: category.id, admin: tokens.admin, stock: 5)
            _ = try await waitUntilCached(chair.id, client, database)
            // Back to the database's name, cached again, then changed through the service with
            // no announcement: only the service forgetting its own changes keeps the next read fresh.
            try await database.query("UPDATE products SET name = 'Chair' WHERE id = \(chair.id)")
            #expect(try await eventually { try await name(of: chair.id, client) == "Chair" })
            try await database.query("ALTER TABLE products DISABLE TRIGGER products_notify_changed")
            let path = "/api/v1/products/\(chair.id)"

            #expect(try await client.send(path, .patch, headers: bearer(tokens.admin), body: json(["price": "12.50"])).status == .ok)
            #expect(try decode(ProductResponse.self, try await client.send(path)).price == Money(string: "12.50"))

            let reservation = "cache-\(UUID())"
            let items = [["product_id": chair.id, "quantity": 2]]
            #expect(try await client.send(
                "/internal/stock/reservations", .post, headers: internalHeaders,
                body: json(["reservation_id": reservation, "items": items])).status == .created)
            #expect(try decode(ProductResponse.self, try await client.send(path)).stock == 3)
            let release = "/internal/stock/reservations/\(reservation)/release"
            #expect(try await client.send(release, .post, headers: internalHeaders).status == .ok)
            #expect(try decode(ProductResponse.self, try await client.send(path)).stock == 5)

            #expect(try await client.send(path, .patch, headers: bearer(tokens.admin), body: json(["status": "draft"])).status == .ok)
            #expect(try await client.send(path).status == .notFound)
            #expect(try await client.send(path, .patch, headers: bearer(tokens.admin), body: json(["status": "active"])).status == .ok)
            #expect(try await client.send(path).status == .ok)
            #expect(try await client.send(path, .delete, headers: bearer(tokens.admin)).status == .noContent)
            #expect(try await client.send(path).status == .notFound)
        }
    }

    @Test func withNoEntriesNothingIsCached() async throws {
        try await withProductServiceAndDatabase(environment: ["PRODUCT_CACHE_ENTRIES": "0"]) { client, tokens, database in
            let category = try await client.createCategory("Rugs", admin: tokens.admin)
            let rug = try await client.product("Rug", category: category.id, admin: tokens.admin)
            #expect(try await name(of: rug.id, client) == "Rug")
            try await silentlyRename(rug.id, to: "Silent", database)
            #expect(try await name(of: rug.id, client) == "Silent")
        }
    }

    @Test(arguments: ["-1", "10000001", "many"])
    func anUnusableEntryCountIsRefused(_ value: String) async throws {
        let configuration = try await serviceTestConfiguration(ProductServiceApp.defaults, environment: ["PRODUCT_CACHE_ENTRIES": value])
        #expect(throws: ConfigurationError.self) { _ = try ProductServiceApp.buildApplication(configuration: configuration) }
    }

    // MARK: Helpers

    private func name(of id: Int, _ client: any TestClientProtocol, token: String? = nil) async throws -> String {
        try decode(ProductResponse.self, try await client.send("/api/v1/products/\(id)", headers: token.map(bearer) ?? [:])).name
    }

    /// Renames a product with the database's triggers off for the statement, as if the
    /// announcement were lost: only a cache that serves what it holds still shows the old name.
    private func silentlyRename(_ id: Int, to name: String, _ database: PostgresPool) async throws {
        try await database.withTransaction { connection in
            try await connection.query("SET LOCAL session_replication_role = replica")
            try await connection.query("UPDATE products SET name = \(name) WHERE id = \(id)")
        }
    }

    /// Reads the product until the cache serves it (the listener connects in the background),
    /// proven by a silent rename that a read does not see; returns the name the cache holds.
    private func waitUntilCached(_ id: Int, _ client: any TestClientProtocol, _ database: PostgresPool) async throws -> String {
        var round = 0
        var served = ""
        let proven = try await eventually {
            round += 1
            served = try await name(of: id, client)
            try await silentlyRename(id, to: "Silent \(round)", database)
            return try await name(of: id, client) == served
        }
        try #require(proven, "the cache never served the product")
        return served
    }

    private func listeners(_ database: PostgresPool) async throws -> Int {
        try await database.query(
            """
            SELECT count(*) AS listeners FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'product-service-listener' AND query LIKE 'LISTEN%'
            """
        ).first!.decode("listeners")
    }
}

/// The cache's own rules, without a server.
@Suite("Product cache")
struct ProductCacheTests {
    private let body = ByteBuffer(string: "{}")

    @Test func nothingIsKeptOrServedUntilChangesAreHeard() {
        let cache = ProductCache(capacity: 10)
        cache.keep(body, of: 1, ticket: cache.ticket())
        #expect(cache.body(of: 1) == nil)
        cache.apply(.listening)
        cache.keep(body, of: 1, ticket: cache.ticket())
        #expect(cache.body(of: 1) == body)
        cache.apply(.interrupted(reason: "test"))
        #expect(cache.body(of: 1) == nil)
        cache.keep(body, of: 1, ticket: cache.ticket())
        #expect(cache.count == 0)
    }

    @Test func aReadThatRacedAChangeIsNotKept() {
        let cache = ProductCache(capacity: 10)
        cache.apply(.listening)
        let ticket = cache.ticket()
        cache.apply(.notification(payload: "2"))  // any product: the read cannot know what it missed
        cache.keep(body, of: 1, ticket: ticket)
        #expect(cache.body(of: 1) == nil)
        cache.keep(body, of: 1, ticket: cache.ticket())
        #expect(cache.body(of: 1) == body)
    }

    @Test func notificationsForgetOneProductOrAll() {
        let cache = ProductCache(capacity: 10)
        cache.apply(.listening)
        for id in 1...3 { cache.keep(body, of: id, ticket: cache.ticket()) }
        cache.apply(.notification(payload: "2"))
        #expect(cache.body(of: 2) == nil)
        #expect(cache.count == 2)
        cache.apply(.notification(payload: "*"))
        #expect(cache.count == 0)
    }

    @Test func theOldestEntriesMakeRoom() {
        let cache = ProductCache(capacity: 3)
        cache.apply(.listening)
        for id in 1...5 { cache.keep(body, of: id, ticket: cache.ticket()) }
        #expect(cache.count == 3)
        #expect((1...5).map { cache.body(of: $0) != nil } == [false, false, true, true, true])
    }

    @Test func noCapacityMeansNoCache() {
        let cache = ProductCache(capacity: 0)
        cache.apply(.listening)
        cache.keep(body, of: 1, ticket: cache.ticket())
        #expect(!cache.isEnabled)
        #expect(cache.body(of: 1) == nil)
    }
}
