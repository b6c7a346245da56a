import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `/api/v1/auth`: register, login, refresh, logout and sessions.
struct AuthController: Sendable {
    let directory: UserDirectory
    let issuer: TokenIssuer
    let hasher: PasswordHasher

    struct RegisterRequest: Decodable {
        var email: String?
        var password: String?
        var firstName: String?
        var lastName: String?
        var phoneNumber: String?
        var timezone: String?
        var language: String?

        enum CodingKeys: String, CodingKey {
            case email, password, timezone, language
            case firstName = "first_name", lastName = "last_name", phoneNumber = "phone_number"
        }
    }

    struct LoginRequest: Decodable {
        var email: String?
        var password: String?
    }

    struct RefreshRequest: Decodable {
        var refreshToken: String?
        enum CodingKeys: String, CodingKey { case refreshToken = "refresh_token" }
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.post("register", use: register)
        routes.post("login", use: login)
        routes.post("refresh", use: refresh)
        routes.post("logout", use: logout)
        routes.get("sessions", use: listSessions)
        routes.delete("sessions/:token", use: revokeSession)
        return routes
    }

    @Sendable func register(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<AuthResponse> {
        let body = try await request.decode(as: RegisterRequest.self, context: context)
        let email = body.email.map(EmailAddress.normalized) ?? ""
        let firstName = body.firstName ?? ""
        let lastName = body.lastName ?? ""
        var errors = FieldErrors()
        errors.check(body.email != nil, "email", "is required")
        errors.check(FieldErrors.isEmail(body.email ?? ""), "email", "must be an email address")
        errors.check(body.password != nil, "password", "is required")
        if let password = body.password, let problem = PasswordPolicy.problem(password) {
            errors.check(false, "password", problem)
        }
        errors.check(name: firstName, "first_name", length: 1...100, "is required (at most 100 characters)")
        errors.check(name: lastName, "last_name", length: 1...100, "is required (at most 100 characters)")
        errors.check(body.phoneNumber, "phone_number", length: 3...32, "must be 3 to 32 characters")
        errors.check(body.timezone.map(FieldErrors.isTimezone) ?? true, "timezone", "must be a time zone name such as Europe/Paris")
        errors.check(body.language.map(FieldErrors.isLanguage) ?? true, "language", "must be a language tag such as en")
        try errors.throwIfAny()

        let user = UserRecord(
            uid: Secrets.uid(), email: email, firstName: FieldErrors.trimmed(firstName), lastName: FieldErrors.trimmed(lastName), phoneNumber: body.phoneNumber,
            timezone: body.timezone ?? "UTC", language: body.language ?? "en", roles: ["customer"],
            passwordHash: try await hasher.hash(body.password!), source: "api", ipAddress: context.clientIP(request),
            userAgent: request.headers[.userAgent], now: Date())
        try await directory.create(user)
        context.logger.info("user registered", metadata: ["user_uid": "\(user.uid)"])
        let (session, secret) = try await directory.openSession(
            for: user, userAgent: request.headers[.userAgent], ipAddress: context.clientIP(request))
        let token = try await issuer.tokens(
            uid: user.uid, roles: user.roles, sessionID: session.sessionToken, authTime: session.authTime, refreshSecret: secret)
        return EditedResponse(status: .created, response: AuthResponse(user: user.response, token: token))
    }

    @Sendable func login(_ request: Request, context: ServiceRequestContext) async throws -> AuthResponse {
        let body = try await request.decode(as: LoginRequest.self, context: context)
        var errors = FieldErrors()
        errors.check(body.email != nil, "email", "is required")
        errors.check(body.password != nil, "password", "is required")
        try errors.throwIfAny()
        let user = try await directory.user(email: EmailAddress.normalized(body.email!))
        // The same work and the same answer whether the account is missing, deleted or the password wrong.
        let password = body.password!
        // An account made from another provider's sign-in has no password here: never a match.
        let hash = user.map(\.passwordHash).flatMap { $0.isEmpty ? nil : $0 }
        let matches = try await hasher.verify(password, hash: hash ?? PasswordHasher.decoy)
        guard let user, hash != nil, matches, PasswordPolicy.couldMatch(password), user.isActive else {
            context.logger.info("login refused")
            throw APIError(.invalidCredentials, "wrong email or password")
        }
        var (session, secret) = try await directory.recordLogin(
            user, userAgent: request.headers[.userAgent], ipAddress: context.clientIP(request))
        session.authTime = Date()
        let token = try await issuer.tokens(
            uid: user.uid, roles: user.roles, sessionID: session.sessionToken, authTime: session.authTime, refreshSecret: secret)
        var loggedIn = user
        loggedIn.loginCount += 1
        loggedIn.lastLoginAt = session.createdAt
        return AuthResponse(user: loggedIn.response, token: token)
    }

    @Sendable func refresh(_ request: Request, context: ServiceRequestContext) async throws -> RefreshResponse {
        let body = try await request.decode(as: RefreshRequest.self, context: context)
        guard let refreshToken = body.refreshToken, !refreshToken.isEmpty else {
            throw APIError.validation(["refresh_token": "is required"])
        }
        let (session, secret) = try await directory.rotate(refreshToken: refreshToken)
        guard let user = try await directory.user(uid: session.userUID), user.isActive else {
            throw APIError(.unauthorized, "the account is no longer active")
        }
        let token = try await issuer.tokens(
            uid: user.uid, roles: user.roles, sessionID: session.sessionToken, authTime: session.authTime, refreshSecret: secret)
        return RefreshResponse(token: token)
    }

    @Sendable func logout(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try context.requireUser()
        if let sessionID = principal.sessionID {
            _ = try await directory.revoke(sessionToken: sessionID, uid: principal.uid)
        }
        return Response(status: .noContent)
    }

    @Sendable func listSessions(_ request: Request, context: ServiceRequestContext) async throws -> ListResponse<SessionResponse> {
        let principal = try context.requireUser()
        let sessions = try await directory.activeSessions(uid: principal.uid)
        return ListResponse(data: sessions.map { $0.response(current: principal.sessionID) })
    }

    @Sendable func revokeSession(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let principal = try context.requireUser()
        let token = try context.parameters.require("token")
        // Another user's session is "not found", never "forbidden".
        guard try await directory.revoke(sessionToken: token, uid: principal.uid) else { throw APIError.notFound("session") }
        return Response(status: .noContent)
    }
}

extension AuthResponse: ResponseEncodable {}
extension RefreshResponse: ResponseEncodable {}
extension UserResponse: ResponseEncodable {}
