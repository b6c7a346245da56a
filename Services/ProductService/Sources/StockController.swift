import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `/internal/stock/reservations`: what the order saga calls, behind the internal token.
struct StockController: Sendable {
    let ledger: StockLedger

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.post("reservations", use: reserve)
        routes.post("reservations/:reservation/release", use: release)
        routes.get("products/:id/ledger", use: ledgerSummary)
        return routes
    }

    /// 201 with the reservation; 200 with the first result when the id was used before.
    @Sendable func reserve(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<StockReservationResponse> {
        let body = try await request.decode(as: StockReservationRequest.self, context: context)
        var errors = FieldErrors()
        errors.check(body.reservationID, "reservation_id", length: 1...100, "must be 1 to 100 characters")
        errors.check((1...50).contains(body.items.count), "items", "must hold 1 to 50 items")
        errors.check(Set(body.items.map(\.productID)).count == body.items.count, "items", "must not repeat a product")
        errors.check(body.items.allSatisfy { (1...1000).contains($0.quantity) }, "items", "quantities must be 1 to 1000")
        try errors.throwIfAny()
        let (reservation, created) = try await ledger.reserve(body)
        return EditedResponse(status: created ? .created : .ok, response: reservation)
    }

    @Sendable func release(_ request: Request, context: ServiceRequestContext) async throws -> StockReservationResponse {
        let reservation: String = try context.parameters.require("reservation")
        guard (1...100).contains(FieldErrors.length(reservation)) else { throw APIError.validation(["reservation_id": "must be 1 to 100 characters"]) }
        return try await ledger.release(reservation)
    }

    @Sendable func ledgerSummary(_ request: Request, context: ServiceRequestContext) async throws -> LedgerSummary {
        guard let summary = try await ledger.summary(product: try context.id()) else { throw APIError.notFound("product") }
        return summary
    }
}

extension StockReservationResponse: ResponseEncodable {}
extension LedgerSummary: ResponseEncodable {}
