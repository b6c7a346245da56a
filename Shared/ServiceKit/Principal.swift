import Contracts

/// Who is making a request, as established by the authentication middleware: a user, or an
/// API key the gateway vouched for (its short-lived token carries the key's permissions).
public struct Principal: Sendable, Equatable {
    /// The user's uid; `apikey:<id>` for an API key.
    public var uid: String
    /// `customer`, `admin`, …; none for an API key.
    public var roles: [String]
    /// The `user_sessions` document the token was issued for, when it came from a login.
    public var sessionID: String?
    /// An API key's permissions (`products:write`, `orders:read`, …); `nil` for a user.
    public var keyPermissions: [String]?
    /// For a user signed in with another provider's token (Firebase): what the token says of
    /// them, from which the User service makes their profile on first use.
    public var externalIdentity: ExternalIdentity?

    public init(
        uid: String, roles: [String], sessionID: String? = nil, keyPermissions: [String]? = nil,
        externalIdentity: ExternalIdentity? = nil
    ) {
        self.uid = uid
        self.roles = roles
        self.sessionID = sessionID
        self.keyPermissions = keyPermissions
        self.externalIdentity = externalIdentity
    }

    public var isAdmin: Bool { roles.contains("admin") }

    /// Whether this is an API key rather than a user.
    public var isAPIKey: Bool { keyPermissions != nil }

    /// Whether the caller may do what `permission` names: admins may do everything, an API
    /// key what it was given, a customer none of it.
    public func may(_ permission: Permission) -> Bool {
        isAdmin || (keyPermissions?.contains(permission.rawValue) ?? false)
    }
}

extension ServiceRequestContext {
    /// The authenticated user, or 401 `unauthorized`. With `permission`, an API key holding it
    /// is accepted as well; any other API key gets 403: it acts for no user.
    public func requireUser(orPermission permission: Permission? = nil) throws -> Principal {
        let principal = try authenticated()
        if principal.isAPIKey, permission.map(principal.may) != true {
            throw APIError(.forbidden, "an API key cannot do this; it needs a user's bearer token")
        }
        return principal
    }

    /// The authenticated caller if an admin (or, with `permission`, an API key holding it);
    /// 401 without a token, 403 `forbidden` for others.
    public func requireAdmin(orPermission permission: Permission? = nil) throws -> Principal {
        let principal = try authenticated()
        guard principal.isAdmin || permission.map(principal.may) == true else {
            throw APIError(.forbidden, "this needs the admin role")
        }
        return principal
    }

    /// The caller, user or API key; 401 `unauthorized` when there is none.
    private func authenticated() throws -> Principal {
        guard let principal else { throw APIError(.unauthorized, "a bearer token is required") }
        return principal
    }

    /// Whether the caller, if any, may do what `permission` names (anonymous callers may not).
    public func callerMay(_ permission: Permission) -> Bool {
        principal?.may(permission) ?? false
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
