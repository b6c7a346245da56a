/// Custom settings (`set_config`, names with a dot such as `ecommerce.actor`) that every
/// connection lent by a ``PostgresPool`` inside ``$current``'s `withValue` carries for the
/// time it is lent, so triggers can read them (`current_setting('ecommerce.actor', true)`):
///
///     try await PostgresSessionSettings.$current.withValue(["ecommerce.actor": uid]) {
///         try await store.update(id, fields)   // its statements run with the setting
///     }
///
/// Outside such a scope nothing is sent. The values are binds, never pasted into SQL; each is
/// cleared again before the connection goes back to the pool.
public enum PostgresSessionSettings {
    @TaskLocal public static var current: [String: String] = [:]

    /// `SELECT set_config(name, value, false), …` for `settings`, sorted by name.
    static func statement(_ settings: [String: String], clearing: Bool = false) -> PostgresQuery {
        var query: PostgresQuery = "SELECT "
        for (index, (name, value)) in settings.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { query.append(", ") }
            query.append("set_config(\(name), \(clearing ? "" : value), false)")
        }
        return query
    }
}
