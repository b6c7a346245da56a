import Contracts
import Postgres

extension PostgresRow {
    /// A NUMERIC money column read straight into cents (no floating point on the way).
    public func money(_ column: String) throws -> Money {
        let text = try decode(column, as: String.self)
        guard let money = Money(string: text) else {
            throw PostgresDecodingError(column: column, wanted: "Money", found: .numeric, reason: "value does not parse")
        }
        return money
    }
}
