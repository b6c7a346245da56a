/// PostgreSQL's text format for one-dimensional arrays: `{a,"b c",NULL}` (public for array
/// types this module has no Swift type for, such as `jsonb[]`).
public enum PostgresArrayText {
    /// Quotes every element, so commas, braces, quotes, backslashes and the word NULL are safe.
    public static func format(_ elements: [String]) -> String {
        var text = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            for char in element {
                if char == "\"" || char == "\\" { text += "\\" }
                text.append(char)
            }
            text += "\""
        }
        return text + "}"
    }

    /// Parses a one-dimensional array; unquoted `NULL` is `nil`. Returns `nil` for malformed text.
    public static func parse(_ text: String) -> [String?]? {
        var chars = Substring(text)
        guard chars.first == "{", chars.last == "}" else { return nil }
        chars = chars.dropFirst().dropLast()
        if chars.isEmpty { return [] }
        var result: [String?] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var escaped = false
        for char in chars {
            if escaped {
                current.append(char)
                escaped = false
            } else if char == "\\" {
                escaped = true
            } else if char == "\"" {
                quoted.toggle()
                wasQuoted = true
            } else if char == ",", !quoted {
                result.append(wasQuoted || current != "NULL" ? current : nil)
                current = ""
                wasQuoted = false
            } else {
                current.append(char)
            }
        }
        guard !quoted, !escaped else { return nil }
        result.append(wasQuoted || current != "NULL" ? current : nil)
        return result
    }
}
