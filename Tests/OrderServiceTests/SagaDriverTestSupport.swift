import Contracts
import Foundation
import Logging
import Postgres
import ServiceKit
import Synchronization
import TestSupport

@testable import OrderService

/// In-process fakes of the saga's peers (the User service, the Product service, the payment
/// processor) for fast tests of the driver against a real order database. Each records
/// what it was asked, in order, and answers as the test set it up.
final class FakeUsers: UserValidating {
    let answer: @Sendable () async -> StepOutcome<Void>
    init(_ answer: @escaping @Sendable () async -> StepOutcome<Void> = { .completed(()) }) { self.answer = answer }
    func validate(uid: String) async -> StepOutcome<Void> { await answer() }
}

final class FakeStock: StockReserving {
    /// What `reserve` answers for the saga's items.
    let reserve: @Sendable ([StockReservationRequest.Item]) async -> StepOutcome<StockReservationResponse>
    /// Whether `release` fails (the service is down) the next times it is called.
    let releaseFails = Mutex(false)
    let calls = Mutex<[String]>([])

    init(_ reserve: @escaping @Sendable ([StockReservationRequest.Item]) async -> StepOutcome<StockReservationResponse> = FakeStock.reserveAll) {
        self.reserve = reserve
    }

    func reserve(_ reservationID: String, items: [StockReservationRequest.Item]) async -> StepOutcome<StockReservationResponse> {
        calls.withLock { $0.append("reserve") }
        switch await reserve(items) {
        case .completed(var reservation):
            reservation.reservationID = reservationID
            return .completed(reservation)
        case .failed(let failure, let uncertain):
            return .failed(failure, uncertain: uncertain)
        }
    }

    func release(_ reservationID: String) async throws {
        if releaseFails.withLock({ $0 }) {
            calls.withLock { $0.append("release failed") }
            throw UnexpectedFakeAnswer()
        }
        calls.withLock { $0.append("release") }
    }

    /// Every item reserved at 10.00 a unit.
    @Sendable static func reserveAll(_ items: [StockReservationRequest.Item]) -> StepOutcome<StockReservationResponse> {
        .completed(
            StockReservationResponse(
                reservationID: "", status: "reserved",
                items: items.map {
                    .init(productID: $0.productID, quantity: $0.quantity, name: "Product \($0.productID)", sku: "SKU-\($0.productID)",
                          unitPrice: Money(cents: 1000))
                }))
    }
}

final class FakePayments: PaymentProvider {
    let name = "fake"
    let answer: @Sendable (PaymentCharge) async throws -> PaymentOutcome
    let calls = Mutex<[String]>([])

    init(_ answer: @escaping @Sendable (PaymentCharge) async throws -> PaymentOutcome = { _ in FakePayments.outcome(approved: true) }) {
        self.answer = answer
    }

    func charge(_ charge: PaymentCharge) async throws -> PaymentOutcome {
        calls.withLock { $0.append("charge \(charge.amount)") }
        return try await answer(charge)
    }

    func refund(chargeKey: String, amount: Money, key: String) async throws -> PaymentOutcome {
        calls.withLock { $0.append("refund \(amount)") }
        return Self.outcome(approved: true)
    }

    static func outcome(approved: Bool) -> PaymentOutcome {
        PaymentOutcome(approved: approved, transactionID: "fake_\(UUID().uuidString.prefix(8))", response: ["fake": .bool(true)])
    }
}

struct UnexpectedFakeAnswer: Error {}

/// An order id a fake learns once the order is placed.
final class OrderIDBox: Sendable {
    let id = Mutex<Int?>(nil)
}

/// An order database of the test's own, with the saga's store on it.
struct SagaHarness: Sendable {
    let pool: PostgresPool
    let settings: OrderSettings

    /// A store holding leases as `owner` (another owner is another process).
    func store(owner: UUID = UUID(), lease: Duration? = nil) -> SagaStore {
        SagaStore(pool: pool, lease: lease ?? settings.sagaTimeout, owner: owner)
    }

    func saga(_ store: SagaStore, users: FakeUsers = FakeUsers(), stock: FakeStock = FakeStock(), payments: FakePayments = FakePayments())
        -> OrderSaga
    {
        OrderSaga(store: store, users: users, stock: stock, payments: payments, settings: settings, logger: TestEnvironment.logger("saga"))
    }

    /// Records a new order of two items for `user` and returns its saga, ready to drive.
    func place(on store: SagaStore, user: String = "user-1", key: String? = nil) async throws -> SagaRecord {
        let placement = try OrderPlacement(
            validating: CreateOrderRequest(
                items: [.init(productID: 7, quantity: 2), .init(productID: 9, quantity: 1)], paymentMethod: "card",
                paymentToken: "tok_visa", shippingMethod: "standard"))
        guard case .created(let record) = try await store.place(user: user, key: key, order: placement) else {
            throw UnexpectedFakeAnswer()
        }
        return record
    }

    /// The order's row and its saga's, as the database holds them.
    func state(of order: Int) async throws -> (status: String, payment: String, reason: String?, phase: String, ended: Bool, items: Int) {
        guard let row = try await pool.query(
            """
            SELECT o.status, o.payment_status, o.failure_reason, s.phase, s.ended_at IS NOT NULL AS ended,
                   (SELECT count(*)::int FROM order_items i WHERE i.order_id = o.id) AS items
            FROM orders o JOIN order_sagas s ON s.order_id = o.id WHERE o.id = \(order)
            """).first
        else { throw UnexpectedFakeAnswer() }
        return (
            try row.decode("status"), try row.decode("payment_status"), try row.decode("failure_reason", as: String?.self),
            try row.decode("phase"), try row.decode("ended"), try row.decode("items")
        )
    }

    /// The `payments` rows of the order, as `status amount`.
    func payments(of order: Int) async throws -> [String] {
        try await pool.query("SELECT status, amount::text AS amount FROM payments WHERE order_id = \(order) ORDER BY id")
            .map { "\(try $0.decode("status", as: String.self)) \(try $0.decode("amount", as: String.self))" }
    }
}

/// Runs `body` with an order database of its own, migrated, closed afterwards.
func withSagaHarness(_ environment: [String: String] = [:], _ body: (SagaHarness) async throws -> Void) async throws {
    let pool = try await TestDatabase.pool("saga")
    do {
        try await applyMigrations(
            from: TestEnvironment.repositoryRoot.appending(path: "database/migrations/order"), on: pool,
            logger: TestEnvironment.logger("saga-migrations"))
        try await body(SagaHarness(pool: pool, settings: try OrderSettings(environment: environment)))
    } catch {
        await pool.close()
        throw error
    }
    await pool.close()
}
