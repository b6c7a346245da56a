import Foundation
import Postgres

/// A document as read: its id, fields and server-set times.
public struct DocumentSnapshot: Sendable, Equatable {
    public let id: String
    public let data: DocumentData
    public let createTime: Date
    public let updateTime: Date

    public subscript(field: String) -> DocumentValue? { data[field] }

    init(row: PostgresRow) throws {
        self.id = try row.decode("id")
        self.data = try DocumentJSON.decodeDocument(try row.decode("data", as: String.self))
        self.createTime = try row.decode("create_time")
        self.updateTime = try row.decode("update_time")
    }

    /// The columns a snapshot is read from.
    static let columns = "id, data, create_time, update_time"
}

/// The outcome of a write: the document's new `update_time`.
public struct WriteResult: Sendable, Equatable {
    public let updateTime: Date
}

/// A condition a write must meet, checked atomically with it.
public enum Precondition: Sendable, Equatable {
    /// The document must exist.
    case exists
    /// The document must not exist.
    case doesNotExist
    /// The document must exist with exactly this `update_time` (it has not changed since it was read).
    case updateTime(Date)
}
