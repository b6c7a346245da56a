extension KeyedDecodingContainer {
    /// Tells apart a field that is absent (`nil`), present as JSON `null` (`.some(nil)`) and
    /// present with a value, as a PATCH body needs.
    public func decodePresence<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T?? {
        guard contains(key) else { return nil }
        return .some(try decodeIfPresent(T.self, forKey: key))
    }
}
