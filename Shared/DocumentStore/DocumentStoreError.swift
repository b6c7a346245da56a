/// Why a document operation failed.
public enum DocumentStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `update`, or a write with the `exists` precondition, found no document.
    case notFound(path: String)
    /// `create`, or a write with the `doesNotExist` precondition, found one.
    case alreadyExists(path: String)
    /// The document's `update_time` is not the one the write was conditioned on.
    case failedPrecondition(path: String)
    /// A transaction read after it had written (Firestore requires reads first).
    case readAfterWrite
    /// A name or field path that is not allowed, or an impossible query.
    case invalidArgument(String)
    /// A value that cannot be stored, or stored data that cannot be read.
    case invalidData(String)

    public var description: String {
        switch self {
        case .notFound(let path): "no document at \(path)"
        case .alreadyExists(let path): "a document already exists at \(path)"
        case .failedPrecondition(let path): "the document at \(path) changed since it was read"
        case .readAfterWrite: "a transaction must do all of its reads before its writes"
        case .invalidArgument(let message): message
        case .invalidData(let message): message
        }
    }
}
