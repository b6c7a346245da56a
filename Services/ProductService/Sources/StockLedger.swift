import Contracts
import Foundation
import Postgres
import ServiceKit

/// Stock reservations for the order saga, and the append-only ledger behind every stock change.
struct StockLedger: Sendable {
    let pool: PostgresPool
    /// Told of the products whose stock moved, once the move is committed.
    let cache: ProductCache

    /// Reserves every item or none. A reservation id already used returns what it returned
    /// the first time (also when two requests with it race: the second waits on the first's
    /// row and then reads it), provided it asks for the same items: otherwise 409 `conflict`. Stock never goes below zero: the products are locked in id
    /// order for the whole transaction and the CHECK constraint backs that up.
    func reserve(_ request: StockReservationRequest) async throws -> (StockReservationResponse, created: Bool) {
        let result: (StockReservationResponse, created: Bool) = try await pool.withTransaction { connection in
            let claimed = try await connection.query(
                """
                INSERT INTO stock_reservations (reservation_id, status, items) VALUES (\(request.reservationID), 'reserved', '[]')
                ON CONFLICT (reservation_id) DO NOTHING RETURNING reservation_id
                """)
            guard !claimed.isEmpty else {
                let stored = try await Self.stored(request.reservationID, on: connection)!
                // A replay must ask for what the reservation holds; another order reusing the id
                // (its caller's ids repeated) must not get this one's items and prices back.
                if stored.status == "reserved", Self.quantities(stored.items.map { ($0.productID, $0.quantity) })
                    != Self.quantities(request.items.map { ($0.productID, $0.quantity) }) {
                    throw CatalogError.reservationReused(request.reservationID)
                }
                return (stored, false)
            }

            let ids = request.items.map(\.productID)
            let rows = try await connection.query(
                """
                SELECT id, name, sku, price, stock FROM products
                WHERE id = ANY(\(ids)) AND deleted_at IS NULL AND status = 'active' ORDER BY id FOR UPDATE
                """)
            var products: [Int: PostgresRow] = [:]
            for row in rows { products[try row.decode("id")] = row }
            var items: [StockReservationResponse.Item] = []
            for item in request.items {
                guard let product = products[item.productID] else {
                    throw CatalogError.unknownProduct(item.productID)
                }
                guard try product.decode("stock", as: Int.self) >= item.quantity else {
                    throw CatalogError.insufficientStock(item.productID)
                }
                items.append(.init(
                    productID: item.productID, quantity: item.quantity, name: try product.decode("name"),
                    sku: try product.decode("sku"), unitPrice: try product.money("price")))
            }
            try await Self.move(
                request.items, sign: -1, reason: "reservation", reservation: request.reservationID, status: "reserved",
                items: try PostgresJSONB(encoding: items), on: connection)
            return (StockReservationResponse(reservationID: request.reservationID, status: "reserved", items: items), true)
        }
        if result.created { cache.forget(request.items.map(\.productID)) }
        return result
    }

    /// Gives a reservation's stock back, once; releasing it again changes nothing. An id never
    /// reserved is recorded as released with no items, so a reserve that arrives late with it
    /// (the saga timed out waiting and compensated) reserves nothing.
    func release(_ reservationID: String) async throws -> StockReservationResponse {
        let reservation = try await pool.withTransaction { connection in
            try await connection.query(
                """
                INSERT INTO stock_reservations (reservation_id, status, items, released_at)
                VALUES (\(reservationID), 'released', '[]', now()) ON CONFLICT (reservation_id) DO NOTHING
                """)
            let rows = try await connection.query(
                "SELECT status FROM stock_reservations WHERE reservation_id = \(reservationID) FOR UPDATE")
            var reservation = try await Self.stored(reservationID, on: connection)!
            guard try rows.first?.decode("status", as: String.self) == "reserved" else { return reservation }
            try await Self.move(
                reservation.items.map { .init(productID: $0.productID, quantity: $0.quantity) }, sign: 1, reason: "release",
                reservation: reservationID, status: "released", items: nil, on: connection)
            reservation.status = "released"
            return reservation
        }
        cache.forget(reservation.items.map(\.productID))
        return reservation
    }

    /// The ledger's totals for a product: `sum` of every movement (always equal to `stock`) and
    /// the units currently held by reservations. `nil` for an unknown product.
    func summary(product: Int) async throws -> LedgerSummary? {
        let rows = try await pool.query(
            """
            SELECT p.stock,
                   coalesce(sum(m.quantity_delta), 0)::int8 AS sum,
                   coalesce(-sum(m.quantity_delta) FILTER (WHERE m.reason IN ('reservation', 'release')), 0)::int8 AS reserved,
                   count(m.id) AS movements
            FROM products p LEFT JOIN stock_movements m ON m.product_id = p.id
            WHERE p.id = \(product) GROUP BY p.id
            """)
        guard let row = rows.first else { return nil }
        return LedgerSummary(
            productID: product, stock: try row.decode("stock"), sum: try row.decode("sum"), reserved: try row.decode("reserved"),
            movements: try row.decode("movements"))
    }

    /// Changes stock for the items, writes one ledger row each and sets the reservation's
    /// status (and items), in one statement.
    private static func move(
        _ items: [StockReservationRequest.Item], sign: Int, reason: String, reservation: String, status: String,
        items snapshot: PostgresJSONB?, on connection: PostgresConnection
    ) async throws {
        let ids = items.map(\.productID)
        let deltas = items.map { sign * $0.quantity }
        try await connection.query(
            """
            WITH moved AS (
                UPDATE products p SET stock = p.stock + x.delta, updated_at = now()
                FROM unnest(\(ids), \(deltas)) AS x(id, delta) WHERE p.id = x.id),
            ledger AS (
                INSERT INTO stock_movements (product_id, quantity_delta, reason, reservation_id)
                SELECT id, delta, \(reason), \(reservation) FROM unnest(\(ids), \(deltas)) AS x(id, delta))
            UPDATE stock_reservations SET status = \(status), items = coalesce(\(snapshot), items),
                released_at = CASE WHEN \(status) = 'released' THEN now() ELSE released_at END
            WHERE reservation_id = \(reservation)
            """)
    }

    /// One ledger row (for stock set by an admin or at creation, inside their transaction).
    static func record(product: Int, delta: Int, reason: String, reservation: String?, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO stock_movements (product_id, quantity_delta, reason, reservation_id)
            VALUES (\(product), \(delta), \(reason), \(reservation))
            """)
    }

    private static func quantities(_ items: [(product: Int, quantity: Int)]) -> [Int: Int] {
        Dictionary(items.map { ($0.product, $0.quantity) }, uniquingKeysWith: +)
    }

    private static func stored(_ reservationID: String, on connection: PostgresConnection) async throws -> StockReservationResponse? {
        guard let row = try await connection.query(
            "SELECT status, items FROM stock_reservations WHERE reservation_id = \(reservationID)").first
        else { return nil }
        let items = try row.decode("items", as: PostgresJSONB.self).decode(as: [StockReservationResponse.Item].self)
        return StockReservationResponse(reservationID: reservationID, status: try row.decode("status"), items: items)
    }
}
