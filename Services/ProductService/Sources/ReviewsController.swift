import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Reviews: `GET|POST /api/v1/products/{id}/reviews`, `PATCH|DELETE /api/v1/reviews/{id}`.
struct ReviewsController: Sendable {
    let reviews: ReviewStore
    let products: ProductStore
    let purchases: any PurchaseVerifying
    let authors: any AuthorChecking

    struct CreateBody: Decodable {
        var rating: Int?
        var title: String?
        var comment: String?
    }

    struct ApprovalBody: Decodable {
        var isApproved: Bool?
        enum CodingKeys: String, CodingKey { case isApproved = "is_approved" }
    }

    /// Routes under `/api/v1/products`.
    var productRoutes: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(":id/reviews", use: list)
        routes.post(":id/reviews", use: create)
        return routes
    }

    /// Routes under `/api/v1/reviews`.
    var reviewRoutes: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.patch(":id", use: approve)
        routes.delete(":id", use: delete)
        return routes
    }

    /// `GET /internal/reviews/users/{uid}`: the reviews a user wrote, for the User service's data export.
    var internalRoutes: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("users/:uid") { _, context in
            ListResponse(data: try await reviews.written(by: try context.parameters.require("uid")))
        }
        return routes
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<ReviewResponse> {
        let product = try context.id()
        guard try await products.get(product, admin: context.callerMay(.productsWrite)) != nil else {
            throw APIError.notFound("product")
        }
        return try await reviews.list(product: product, viewer: context.principal?.uid, page: try request.pageRequest())
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<ReviewResponse> {
        let principal = try context.requireUser()
        let product = try context.id()
        let body = try await request.decode(as: CreateBody.self, context: context)
        var errors = FieldErrors()
        errors.check(body.rating != nil, "rating", "is required")
        errors.check((1...5).contains(body.rating ?? 1), "rating", "must be 1 to 5")
        errors.check(body.title, "title", length: 0...255, "must be at most 255 characters")
        errors.check(body.comment, "comment", length: 0...5000, "must be at most 5000 characters")
        try errors.throwIfAny()
        guard try await products.get(product, admin: principal.isAdmin) != nil else { throw APIError.notFound("product") }
        try await authors.requireActive(principal.uid)
        let purchase = await purchases.verify(user: principal.uid, product: product)
        let review = try await reviews.create(
            product: product, user: principal.uid, orderID: purchase.orderID, rating: body.rating!, title: body.title,
            comment: body.comment, verified: purchase.verified)
        return EditedResponse(status: .created, response: review)
    }

    @Sendable func approve(_ request: Request, context: ServiceRequestContext) async throws -> ReviewResponse {
        _ = try context.requireAdmin(orPermission: .productsWrite)
        let id = try context.id()
        let body = try await request.decode(as: ApprovalBody.self, context: context)
        guard let approved = body.isApproved else { throw APIError.validation(["is_approved": "is required"]) }
        guard let review = try await reviews.setApproved(id, approved) else { throw APIError.notFound("review") }
        return review
    }

    /// The author, an admin or a `products:write` API key. Someone else gets 403 for a review
    /// they can see (an approved one) and 404 for one they cannot.
    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try context.requireUser(orPermission: .productsWrite)
        let id = try context.id()
        guard let review = try await reviews.get(id) else { throw APIError.notFound("review") }
        guard principal.may(.productsWrite) || review.userUID == principal.uid else {
            if review.isApproved { throw APIError(.forbidden, "only the author or an admin may delete a review") }
            throw APIError.notFound("review")
        }
        guard try await reviews.delete(id) else { throw APIError.notFound("review") }
        return Response(status: .noContent)
    }
}

extension ReviewResponse: ResponseEncodable {}
