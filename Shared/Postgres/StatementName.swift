/// A short, low-cardinality name for a statement: its verb and the table it works on, e.g.
/// `select_products`, `insert_order_items`, `with_order_sagas`; other statements by their verb
/// alone (`begin`, `grant`). A `SELECT`'s table is its outermost `FROM`'s, not one inside
/// parentheses (`EXTRACT(EPOCH FROM …)`, a subquery); a `WITH`'s is the first its parts name.
enum StatementName {
    static func of(_ sql: String) -> String {
        var words: [(word: Substring, depth: Int)] = []
        var depth = 0
        var start: String.Index?
        func endWord(at index: String.Index) {
            if let from = start { words.append((sql[from..<index], depth)) }
            start = nil
        }
        for index in sql.indices {
            let character = sql[index]
            if character.isLetter || character.isNumber || character == "_" || character == "." {
                if start == nil { start = index }
                continue
            }
            endWord(at: index)
            if character == "(" { depth += 1 } else if character == ")" { depth = max(0, depth - 1) }
        }
        endWord(at: sql.endIndex)
        guard let verb = words.first?.word.lowercased() else { return "empty" }
        let markers: Set<String>
        var anyDepth = false
        switch verb {
        case "select", "delete": markers = ["from"]
        case "insert", "copy": markers = ["into", "copy"]
        case "update": markers = ["update"]
        case "with":
            markers = ["from", "into", "update"]
            anyDepth = true
        default: return verb
        }
        guard let index = words.indices.dropLast().first(where: {
                (anyDepth || words[$0].depth == 0) && markers.contains(words[$0].word.lowercased())
            })
        else { return verb }
        // `FROM (SELECT …)`: no table of its own.
        guard words[index + 1].depth == words[index].depth else { return verb }
        var table = words[index + 1].word.lowercased()
        if table == "only", index + 2 < words.count { table = words[index + 2].word.lowercased() }
        return "\(verb)_\(table.split(separator: ".").last.map(String.init) ?? table)"
    }
}
