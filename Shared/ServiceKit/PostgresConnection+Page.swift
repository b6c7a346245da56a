import Contracts
import Postgres

extension PostgresConnection {
    /// One page of a list and where it sits: `select` (its columns and `FROM`) and a count of
    /// `table` share `condition` (which starts with ` WHERE`); rows come in `orderBy` order.
    public func pageRows<Item>(
        _ select: PostgresQuery, counting table: StaticString, where condition: PostgresQuery, orderBy: StaticString,
        page: PageRequest, decode: (PostgresRow) throws -> Item
    ) async throws -> (items: [Item], page: PageInfo) {
        var rows = select
        rows.append(condition)
        rows.append(PostgresQuery(unsafeSQL: " ORDER BY \(orderBy)"))
        rows.append(" LIMIT \(page.limit) OFFSET \(page.offset)")
        var count = PostgresQuery(unsafeSQL: "SELECT count(*) AS total FROM \(table)")
        count.append(condition)
        let items = try await query(rows).map(decode)
        let total: Int = try await query(count).first?.decode("total") ?? 0
        return (items, PageInfo(limit: page.limit, offset: page.offset, total: total))
    }
}

extension PostgresPool {
    /// ``PostgresConnection/pageRows(_:counting:where:orderBy:page:decode:)`` as the list response.
    public func page<Item: Codable & Sendable>(
        _ select: PostgresQuery, counting table: StaticString, where condition: PostgresQuery, orderBy: StaticString,
        page: PageRequest, decode: (PostgresRow) throws -> Item
    ) async throws -> Page<Item> {
        try await withConnection { connection in
            let (items, info) = try await connection.pageRows(
                select, counting: table, where: condition, orderBy: orderBy, page: page, decode: decode)
            return Page(data: items, page: info)
        }
    }
}
