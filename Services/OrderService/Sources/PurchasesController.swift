import Contracts
import Hummingbird
import ServiceKit

/// `GET /internal/purchases/verify?user_uid=&product_id=`, behind the internal token: whether
/// the user has a confirmed, shipped or delivered order with the product (the Product
/// service marks reviews `is_verified_purchase` with it).
struct PurchasesController: Sendable {
    let orders: OrderStore

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("verify", use: verify)
        return routes
    }

    @Sendable func verify(_ request: Request, context: ServiceRequestContext) async throws -> PurchaseVerification {
        guard let user = try request.query("user_uid"), let product = try request.queryInt("product_id", in: 1...Int(Int32.max)) else {
            throw APIError.badRequest("user_uid and product_id are required")
        }
        let order = try await orders.purchase(user: user, product: product)
        return PurchaseVerification(verified: order != nil, orderID: order)
    }
}

extension PurchaseVerification: ResponseEncodable {}
