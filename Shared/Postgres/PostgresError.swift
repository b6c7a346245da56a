/// An error from the database layer.
///
/// `description` says what kind of failure it was and the SQLSTATE, never the query or the
/// server's message about a statement (which can contain user data); a connection that could
/// not be opened carries libpq's reason (a timeout, a refusal, too many clients), which holds
/// none. `String(reflecting:)` has everything.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable {
        /// The server rejected a statement; `sqlState` says why.
        case server
        /// A new connection could not be opened.
        case connectionFailed
        /// A new connection's TLS could not be set up: the server offers none while `sslmode`
        /// asks for it, its certificate is not signed by the CA given or not for the host
        /// name, or a certificate or key file cannot be read. Retrying cannot help.
        case tlsFailed
        /// An open connection broke while it was in use.
        case connectionClosed
        /// No connection became free within the pool's acquire timeout.
        case acquireTimeout
        /// The pool has been shut down.
        case poolShutdown
        /// A migration file could not be read or an applied one has changed.
        case migration
    }

    public var kind: Kind
    /// The SQLSTATE for server errors.
    public var sqlState: SQLState?
    /// The server's primary message, or libpq's.
    public var message: String
    /// The server's DETAIL line, if any.
    public var detail: String?
    /// The constraint that was violated, if any.
    public var constraint: String?
    /// The column involved, if the server named one.
    public var column: String?
    /// The statement's SQL text (with `$n` placeholders, never values).
    public var query: String?

    /// Creates an error.
    public init(
        kind: Kind, sqlState: SQLState? = nil, message: String, detail: String? = nil,
        constraint: String? = nil, column: String? = nil, query: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
        self.column = column
        self.query = query
    }

    public var description: String {
        if let sqlState { return "PostgresError(\(kind.rawValue), sqlstate: \(sqlState))" }
        if kind == .connectionFailed || kind == .tlsFailed { return "PostgresError(\(kind.rawValue): \(message))" }
        return "PostgresError(\(kind.rawValue))"
    }

    public var debugDescription: String {
        var parts = ["kind: \(kind.rawValue)"]
        if let sqlState { parts.append("sqlstate: \(sqlState)") }
        parts.append("message: \(message)")
        if let detail { parts.append("detail: \(detail)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        if let column { parts.append("column: \(column)") }
        if let query { parts.append("query: \(query)") }
        return "PostgresError(\(parts.joined(separator: ", ")))"
    }

    /// A data exception (22xxx) or an integrity constraint violation (23xxx): the values sent
    /// are at fault, so the same statement will fail again however often it is retried.
    public var isCausedByValues: Bool {
        guard kind == .server, let sqlState else { return false }
        return sqlState.errorClass == "22" || sqlState.errorClass == "23"
    }

    /// Whether libpq's reason for not connecting is TLS (its messages say "SSL" or
    /// "certificate"), rather than a refusal of the login that merely mentions encryption, or
    /// a connection cut during the handshake (a server going down), which may pass.
    static func isAboutTLS(_ message: String) -> Bool {
        let notTLS = ["pg_hba.conf", "password authentication failed", "SSL SYSCALL error", "closed unexpectedly"]
        guard !notTLS.contains(where: { message.contains($0) }) else { return false }
        return message.contains("SSL") || message.contains("certificate")
    }

    /// Whether the connection it happened on can no longer be used.
    public var breaksConnection: Bool {
        kind == .connectionClosed || kind == .connectionFailed || sqlState == .adminShutdown
    }
}

/// A value in a result row could not be turned into the Swift type asked for.
public struct PostgresDecodingError: Error, Sendable, CustomStringConvertible {
    /// The column's name.
    public var column: String
    /// The Swift type asked for.
    public var wanted: String
    /// The column's PostgreSQL type.
    public var found: PostgresDataType
    /// Why it failed: a type mismatch, an unexpected NULL, or text that would not parse.
    public var reason: String

    public init(column: String, wanted: String, found: PostgresDataType, reason: String) {
        self.column = column
        self.wanted = wanted
        self.found = found
        self.reason = reason
    }

    public var description: String {
        "cannot decode column '\(column)' of type \(found) as \(wanted): \(reason)"
    }
}
