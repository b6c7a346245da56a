/// A PostgreSQL SQLSTATE code. An open struct, so codes without a named constant are kept as they came.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The five-character code, e.g. `"23505"`.
    public var rawValue: String

    /// Wraps a five-character code.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The code itself.
    public var description: String { rawValue }

    /// The two-character class (`"23"` for integrity constraint violations).
    public var errorClass: Substring { rawValue.prefix(2) }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let exclusionViolation = SQLState(rawValue: "23P01")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    public static let queryCanceled = SQLState(rawValue: "57014")
    public static let adminShutdown = SQLState(rawValue: "57P01")
    public static let cannotConnectNow = SQLState(rawValue: "57P03")
    public static let featureNotSupported = SQLState(rawValue: "0A000")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let syntaxError = SQLState(rawValue: "42601")
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    public static let numericValueOutOfRange = SQLState(rawValue: "22003")
    public static let stringDataRightTruncation = SQLState(rawValue: "22001")
    public static let characterNotInRepertoire = SQLState(rawValue: "22021")
    public static let untranslatableCharacter = SQLState(rawValue: "22P05")
    public static let tooManyConnections = SQLState(rawValue: "53300")

    /// Whether a transaction that failed with this code may succeed when run again from the start.
    public var isTransient: Bool {
        self == .serializationFailure || self == .deadlockDetected
    }
}
