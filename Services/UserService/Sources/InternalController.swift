import Contracts
import Hummingbird
import ServiceKit

/// `/internal/…`: what the other services ask of the User service, behind `INTERNAL_TOKEN`.
struct InternalController: Sendable {
    let directory: UserDirectory
    let keys: APIKeyStore
    let issuer: TokenIssuer

    struct ResolveRequest: Decodable {
        var key: String
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("users/:uid", use: user)
        routes.post("users/:uid/provision", use: provision)
        routes.post("api-keys/resolve", use: resolve)
        return routes
    }

    /// A user by uid, deleted ones included (`status` says so).
    @Sendable func user(_ request: Request, context: ServiceRequestContext) async throws -> UserResponse {
        guard let user = try await directory.user(uid: try context.parameters.require("uid")) else {
            throw APIError.notFound("user")
        }
        return user.response
    }

    /// The profile of a user signed in with another provider's token, made if it is their
    /// first request anywhere in the stack (the other services ask before they serve them).
    @Sendable func provision(_ request: Request, context: ServiceRequestContext) async throws -> UserResponse {
        let uid = try context.parameters.require("uid")
        guard (1...128).contains(uid.count) else { throw APIError.validation(["uid": "must be 1 to 128 characters"]) }
        let identity = try await request.decode(as: ExternalIdentity.self, context: context)
        return try await directory.provision(uid: uid, identity: identity).response
    }

    /// The key's id, permissions, rate limit and a token acting for it; 404 for an unknown,
    /// deleted or expired key.
    @Sendable func resolve(_ request: Request, context: ServiceRequestContext) async throws -> ResolvedAPIKey {
        let body = try await request.decode(as: ResolveRequest.self, context: context)
        guard let key = try await keys.resolve(key: body.key) else { throw APIError.notFound("API key") }
        return ResolvedAPIKey(
            id: key.id, permissions: key.permissions, rateLimit: key.rateLimit,
            token: try await issuer.keyToken(id: key.id, permissions: key.permissions))
    }
}

extension ResolvedAPIKey: ResponseEncodable {}
