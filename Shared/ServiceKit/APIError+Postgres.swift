import Contracts
import Postgres

extension APIError {
    /// The one place database errors become HTTP errors.
    ///
    /// Constraint violations are the client's doing (23505 → 409 `conflict`, 23503/23514/23502
    /// → 422 `validation_failed`, bad values 22xxx → 422); a database that cannot be reached
    /// is 503 `upstream_unavailable`. Anything else is a defect and returns `nil`, so the error
    /// middleware answers 500 and logs it.
    public init?(_ error: PostgresError) {
        switch error.kind {
        case .connectionFailed, .tlsFailed, .connectionClosed, .acquireTimeout, .poolShutdown:
            self.init(.upstreamUnavailable, "the database is unavailable")
            return
        case .server, .migration:
            break
        }
        guard let state = error.sqlState else { return nil }
        switch state {
        case .uniqueViolation, .exclusionViolation:
            self.init(.conflict, "a record with the same unique value already exists",
                details: error.constraint.map { ["constraint": .string($0)] })
        case .foreignKeyViolation, .checkViolation, .notNullViolation:
            self.init(.validationFailed, "the values break a rule of the data model",
                details: error.constraint.map { ["constraint": .string($0)] })
        case .invalidTextRepresentation, .numericValueOutOfRange, .stringDataRightTruncation, .characterNotInRepertoire,
            .untranslatableCharacter:
            self.init(.validationFailed, "a value is out of range or malformed")
        case .adminShutdown, .cannotConnectNow, .tooManyConnections:
            self.init(.upstreamUnavailable, "the database is unavailable")
        case .serializationFailure, .deadlockDetected, .lockNotAvailable, .queryCanceled:
            self.init(.upstreamUnavailable, "the database is busy; try again")
        default:
            return nil
        }
    }
}
