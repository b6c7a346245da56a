import Foundation

/// One admin action from a database's audit trail (`GET /api/v1/admin/audit`): who did it,
/// to what, when, and the values before and after.
public struct AuditEntry: Codable, Sendable, Equatable {
    /// The row's id in its database's trail (ids of different services' trails overlap).
    public var id: Int
    /// Whose database recorded it: `user`, `product`, `order` or `gateway`.
    public var service: String
    public var occurredAt: Date
    /// The principal's uid, or `operator:<name>` for a `make` operation.
    public var actor: String
    /// `admin` or `api_key` (`operator` for a `make` operation).
    @NullEncoded public var actorRole: String?
    /// `insert`, `update`, `delete` or `restore`.
    public var action: String
    /// The table or document collection (`products`, `api_keys`), or `database` for a restore.
    public var resource: String
    @NullEncoded public var resourceID: String?
    /// The row before the change (`null` for an insert) and after it (`null` for a delete).
    @NullEncoded public var before: JSONValue?
    @NullEncoded public var after: JSONValue?
    @NullEncoded public var requestID: String?

    public init(
        id: Int, service: String, occurredAt: Date, actor: String, actorRole: String?, action: String, resource: String,
        resourceID: String?, before: JSONValue?, after: JSONValue?, requestID: String?
    ) {
        self.id = id
        self.service = service
        self.occurredAt = occurredAt
        self.actor = actor
        self.actorRole = actorRole
        self.action = action
        self.resource = resource
        self.resourceID = resourceID
        self.before = before
        self.after = after
        self.requestID = requestID
    }

    enum CodingKeys: String, CodingKey {
        case id, service, actor, action, resource, before, after
        case occurredAt = "occurred_at", actorRole = "actor_role", resourceID = "resource_id", requestID = "request_id"
    }

    /// Newest first; for equal times, the higher id (then the service) first.
    public static func newestFirst(_ a: AuditEntry, _ b: AuditEntry) -> Bool {
        if a.occurredAt != b.occurredAt { return a.occurredAt > b.occurredAt }
        if a.id != b.id { return a.id > b.id }
        return a.service < b.service
    }
}
