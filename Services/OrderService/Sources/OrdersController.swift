import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `/api/v1/orders`: placing orders (the saga), reading them, cancelling, and the admin transitions.
struct OrdersController: Sendable {
    let orders: OrderStore
    let sagas: SagaStore
    let saga: OrderSaga
    /// How long a cancellation waits for another process to finish compensating.
    let sagaTimeout: Duration

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.post(use: create)
        routes.get(use: list)
        routes.get(":id", use: show)
        routes.patch(":id", use: update)
        routes.get(":id/payments", use: payments)
        routes.post(":id/cancel", use: cancel)
        return routes
    }

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    /// 201 with the confirmed order; the contract's error for a failed one (the order is kept,
    /// `failed`); for a repeated `Idempotency-Key`, the first response again.
    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<OrderResponse> {
        let principal = try context.requireUser()
        let key = try OrderPlacement.idempotencyKey(request.headers[Self.idempotencyKey])
        let placement = try OrderPlacement(validating: try await request.decode(as: CreateOrderRequest.self, context: context))
        switch try await sagas.place(user: principal.uid, key: key, order: placement) {
        case .earlier(let earlier):
            guard earlier.fingerprint == placement.fingerprint else {
                throw APIError(.idempotencyKeyReused, "this Idempotency-Key was used with another request")
            }
            guard let response = earlier.response else {
                throw APIError.requestInProgress(order: earlier.orderID)
            }
            return try await replay(response, order: earlier.orderID, principal: principal)
        case .inProgress:
            throw APIError.requestInProgress(order: nil)
        case .created(var record):
            do {
                try await saga.drive(&record)
            } catch is SagaStore.LeaseLost {
                throw APIError.requestInProgress(order: record.orderID)
            } catch {
                // The order is recorded: the recovery worker finishes its saga once the database
                // is back, so "unavailable" would be untrue (a client told 503 orders again and
                // pays twice). It is still being decided: the contract's 409 with its id.
                context.logger.warning(
                    "order saga interrupted; the recovery worker will finish it",
                    metadata: ["order_id": "\(record.orderID)", "error": "\(String(reflecting: error))"])
                throw APIError.requestInProgress(order: record.orderID)
            }
            return try outcome(of: record)
        }
    }

    private func outcome(of record: SagaRecord) throws -> EditedResponse<OrderResponse> {
        switch record.state.phase {
        case .succeeded:
            guard let order = record.confirmedOrder else { throw APIError.notFound("order") }
            return EditedResponse(status: .created, response: order)
        case .ended(.failed(let failure)), .compensating(.failed(let failure)):
            throw Self.error(failure, order: record.orderID)
        case .ended(.cancelled), .compensating(.cancelled):
            throw Self.error(.cancelledWhilePlacing, order: record.orderID)
        case .running:
            throw APIError.requestInProgress(order: record.orderID)
        }
    }

    private func replay(_ response: StoredResponse, order: Int, principal: Principal) async throws -> EditedResponse<OrderResponse> {
        guard (200..<300).contains(response.status) else {
            let failure = try response.body?.decode(as: SagaFailure.self) ?? SagaFailure(.conflict, "the order failed")
            var error = Self.error(failure, order: order)
            error.headers.append((Self.replayed.rawName, "true"))
            throw error
        }
        let body: OrderResponse
        if let stored = try response.body?.decode(as: OrderResponse.self, decoder: contractDecoder) {
            body = stored
        } else if let current = try await orders.order(order, visibleTo: principal) {
            body = current
        } else {
            throw APIError.notFound("order")
        }
        return EditedResponse(status: .init(code: response.status), headers: [Self.replayed: "true"], response: body)
    }

    private static func error(_ failure: SagaFailure, order: Int) -> APIError {
        var details = failure.details ?? [:]
        details["order_id"] = .number(Double(order))
        return APIError(ErrorCode(rawValue: failure.code), failure.message, details: details)
    }

    /// The caller's orders, newest first; an admin (or an `orders:read` API key) sees everyone's
    /// and may filter by `user_uid`.
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<OrderResponse> {
        let principal = try context.requireUser(orPermission: .ordersRead)
        let user = principal.may(.ordersRead) ? try request.query("user_uid") : principal.uid
        let status = try request.queryChoice("status", in: OrderStatus.allCases.map(\.rawValue))
        return try await orders.list(user: user, status: status, page: try request.pageRequest())
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> OrderResponse {
        guard let order = try await orders.order(try context.id(), visibleTo: try context.requireUser(orPermission: .ordersRead)) else {
            throw APIError.notFound("order")
        }
        return order
    }

    @Sendable func payments(_ request: Request, context: ServiceRequestContext) async throws -> Page<PaymentResponse> {
        let id = try context.id()
        guard try await orders.order(id, visibleTo: try context.requireUser(orPermission: .ordersRead)) != nil else { throw APIError.notFound("order") }
        return try await orders.payments(of: id, page: try request.pageRequest())
    }

    /// Owner or admin: a `pending` or `confirmed` order becomes `cancelled`; the payment is
    /// refunded and the stock given back (the saga's compensations).
    @Sendable func cancel(_ request: Request, context: ServiceRequestContext) async throws -> OrderResponse {
        let principal = try context.requireUser()
        let id = try context.id()
        switch try await sagas.startCancel(id, by: principal) {
        case nil:
            throw APIError.notFound("order")
        case .drive:
            if var record = try await sagas.load(id) {
                do { try await saga.drive(&record) } catch is SagaStore.LeaseLost {}
            }
        case .waitForEnd:
            let deadline = ContinuousClock.now + sagaTimeout
            while try await !sagas.hasEnded(id), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        guard let order = try await orders.order(id, visibleTo: principal) else { throw APIError.notFound("order") }
        return order
    }

    /// Admin: `confirmed → shipped → delivered`, with an optional tracking number; anything else 409 `invalid_transition`.
    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> OrderResponse {
        _ = try context.requireAdmin()
        let id = try context.id()
        let body = try await request.decode(as: OrderUpdateRequest.self, context: context)
        var errors = FieldErrors()
        errors.check(body.status != nil, "status", "is required")
        errors.check(body.status.map { OrderStatus(rawValue: $0) != nil } ?? true, "status",
                     "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        errors.check(body.trackingNumber, "tracking_number", length: 0...100, "must be at most 100 characters")
        try errors.throwIfAny()
        guard let status = body.status.flatMap(OrderStatus.init(rawValue:)) else { throw APIError.validation(["status": "is required"]) }
        guard let order = try await sagas.advance(id, to: status, trackingNumber: body.trackingNumber) else {
            throw APIError.notFound("order")
        }
        return order
    }
}

extension OrderResponse: ResponseEncodable {}
extension PaymentResponse: ResponseEncodable {}
