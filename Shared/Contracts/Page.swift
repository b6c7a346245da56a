/// A page of a list response: `{"data": [...], "page": {"limit", "offset", "total"}}`.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    /// The items of this page.
    public var data: [Item]
    /// Where this page sits in the whole list.
    public var page: PageInfo

    /// Creates a page.
    public init(data: [Item], page: PageInfo) {
        self.data = data
        self.page = page
    }
}

/// The position of a page: `limit` and `offset` as applied, `total` items in the whole list.
public struct PageInfo: Codable, Sendable, Equatable {
    public var limit: Int
    public var offset: Int
    public var total: Int

    /// Creates page information.
    public init(limit: Int, offset: Int, total: Int) {
        self.limit = limit
        self.offset = offset
        self.total = total
    }
}

/// The `?limit=&offset=` of a list request, validated against the contract's bounds.
public struct PageRequest: Sendable, Equatable {
    /// Default page size.
    public static let defaultLimit = 20
    /// Largest page a client may ask for.
    public static let maxLimit = 100
    /// Largest offset: ids and counts are 32-bit in the databases, so no list is longer.
    public static let maxOffset = Int(Int32.max)

    public var limit: Int
    public var offset: Int

    /// Creates a page request; `nil` parts take the defaults. Returns `nil` when a value is out
    /// of range (`limit` beyond `maxLimit`, which only internal routes raise).
    public init?(limit: Int?, offset: Int?, maxLimit: Int = Self.maxLimit) {
        let limit = limit ?? Self.defaultLimit
        let offset = offset ?? 0
        guard (1...maxLimit).contains(limit), (0...Self.maxOffset).contains(offset) else { return nil }
        self.limit = limit
        self.offset = offset
    }
}
