import Contracts

/// Who is making a request, as established by the authentication middleware.
public struct Principal: Sendable, Equatable {
    /// The user's uid.
    public var uid: String
    /// `customer`, `admin`, …
    public var roles: [String]
    /// The `user_sessions` document the token was issued for, when it came from a login.
    public var sessionID: String?

    public init(uid: String, roles: [String], sessionID: String? = nil) {
        self.uid = uid
        self.roles = roles
        self.sessionID = sessionID
    }

    public var isAdmin: Bool { roles.contains("admin") }
}

extension ServiceRequestContext {
    /// The authenticated caller, or 401 `unauthorized`.
    public func requireUser() throws -> Principal {
        guard let principal else { throw APIError(.unauthorized, "a bearer token is required") }
        return principal
    }

    /// The authenticated caller if an admin; 401 without a token, 403 `forbidden` for others.
    public func requireAdmin() throws -> Principal {
        let principal = try requireUser()
        guard principal.isAdmin else { throw APIError(.forbidden, "this needs the admin role") }
        return principal
    }
}

extension ServiceRequestContext {
    /// The integer `:id` route parameter; 404 when it is not a number (no such resource).
    public func id(_ name: String = "id") throws -> Int {
        guard let text = parameters.get(name), let id = Int(text), id > 0, id <= Int(Int32.max) else {
            throw APIError.notFound()
        }
        return id
    }
}
