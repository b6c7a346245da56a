import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/api-keys` (admin only): create, list, delete.
struct APIKeysController: Sendable {
    let keys: APIKeyStore

    struct CreateRequest: Decodable {
        var name: String?
        var permissions: [String]?
        var rateLimit: Int?
        var expiresAt: Date?

        enum CodingKeys: String, CodingKey {
            case name, permissions
            case rateLimit = "rate_limit", expiresAt = "expires_at"
        }
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.post(use: create)
        routes.get(use: list)
        routes.delete(":id", use: delete)
        return routes
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<APIKeyResponse> {
        _ = try context.requireAdmin()
        let body = try await request.decode(as: CreateRequest.self, context: context)
        let name = FieldErrors.trimmed(body.name ?? "")
        var errors = FieldErrors()
        errors.check(name: body.name ?? "", "name", length: 1...100, "is required (at most 100 characters)")
        errors.check(body.permissions != nil, "permissions", "is required")
        let unknown = (body.permissions ?? []).filter { !ResolvedAPIKey.knownPermissions.contains($0) }
        errors.check(unknown.isEmpty, "permissions", "unknown: \(unknown.joined(separator: ", "))")
        errors.check(body.rateLimit != nil, "rate_limit", "is required")
        errors.check((1...1_000_000).contains(body.rateLimit ?? 1), "rate_limit", "must be 1 to 1000000 requests per minute")
        errors.check(body.expiresAt.map { $0 > Date() } ?? true, "expires_at", "must be in the future")
        try errors.throwIfAny()
        let created = try await keys.create(
            name: name, permissions: Array(Set(body.permissions!)).sorted(), rateLimit: body.rateLimit!, expiresAt: body.expiresAt)
        context.logger.info("API key created", metadata: ["key_id": "\(created.id)"])
        return EditedResponse(status: .created, response: created)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<APIKeyResponse> {
        _ = try context.requireAdmin()
        let all = try await keys.list()
        return Page(data: all, page: PageInfo(limit: all.count, offset: 0, total: all.count))
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        guard try await keys.delete(id: try context.parameters.require("id")) else { throw APIError.notFound("API key") }
        return Response(status: .noContent)
    }
}

extension APIKeyResponse: ResponseEncodable {}
