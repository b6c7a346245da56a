/// A field path such as `user_uid` or `address.city`, checked to consist of identifier
/// segments so it can be written into SQL as a JSONB path (it is code, never request input;
/// index expressions must match the query's expression literally, so it cannot be a bind).
struct FieldPath: Sendable, Hashable {
    let segments: [String]

    init(_ path: String) throws {
        let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !segments.isEmpty, segments.allSatisfy(Self.isIdentifier) else {
            throw DocumentStoreError.invalidArgument("invalid field path '\(path)'")
        }
        self.segments = segments
    }

    /// `data -> 'address' -> 'city'`
    var sqlExpression: String {
        "data" + segments.map { " -> '\($0)'" }.joined()
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, !text.isEmpty, text.utf8.count <= 100 else { return false }
        let isLetter = { (byte: UInt8) in (byte | 0x20) >= 97 && (byte | 0x20) <= 122 || byte == 95 }
        return isLetter(first) && text.utf8.allSatisfy { isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }

    /// A collection name: the same rule, written into SQL as a string literal.
    static func collectionLiteral(_ name: String) throws -> String {
        guard isIdentifier(name) else { throw DocumentStoreError.invalidArgument("invalid collection name '\(name)'") }
        return "'\(name)'"
    }
}
