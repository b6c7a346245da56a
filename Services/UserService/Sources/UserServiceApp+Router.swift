import Authentication
import Hummingbird
import NIOCore
import Postgres
import ServiceKit

/// What the User service's routes are built from: made from the configuration by
/// ``UserServiceApp/buildApplication(configuration:)``, or by a test.
struct UserDependencies: Sendable {
    /// The pool on the user database (its audit trail).
    var pool: PostgresPool
    var directory: UserDirectory
    var keys: APIKeyStore
    var issuer: TokenIssuer
    var hasher: PasswordHasher
    var tokenVerifier: TokenVerifier
    var exporter: AccountExporter
    /// `GET /.well-known/jwks.json`'s body: the public half of the signing key.
    var jwksJSON: String
    /// `INTERNAL_TOKEN`, for the `/internal/…` routes.
    var internalToken: String?
}

extension UserServiceApp {
    /// Adds the JWKS, auth, users and API key routes (bearer tokens checked where given) and the
    /// internal user, API key and audit routes to `router`.
    static func buildRouter(_ router: Router<ServiceRequestContext>, dependencies: UserDependencies) {
        let jwks = dependencies.jwksJSON
        router.get("/.well-known/jwks.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: jwks)))
        }
        let directory = dependencies.directory
        let provisioning = FirstUseProvisioning { uid, identity in _ = try await directory.provision(uid: uid, identity: identity) }
        let api = router.group("/api/v1").add(
            middleware: BearerAuthMiddleware(verifier: dependencies.tokenVerifier, provisioning: provisioning))
        api.addRoutes(
            AuthController(directory: dependencies.directory, issuer: dependencies.issuer, hasher: dependencies.hasher).endpoints,
            atPath: "auth")
        api.addRoutes(UsersController(directory: dependencies.directory, exporter: dependencies.exporter).endpoints, atPath: "users")
        api.addRoutes(APIKeysController(keys: dependencies.keys).endpoints, atPath: "api-keys")
        let internalRoutes = router.group("/internal").add(middleware: InternalTokenMiddleware(token: dependencies.internalToken))
        internalRoutes.addRoutes(AuditController(pool: dependencies.pool, service: "user").endpoints, atPath: "audit")
        internalRoutes.addRoutes(
            InternalController(directory: dependencies.directory, keys: dependencies.keys, issuer: dependencies.issuer).endpoints)
    }
}
