/// JSON text written by hand where Foundation's encoders cost too much (log lines, documents).
public enum JSONText {
    /// Appends `value` as a JSON string literal: quotes, backslashes and control characters escaped.
    public static func appendString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    /// Appends a JSON number; a value JSON cannot hold (NaN, infinity) is written as `null`.
    public static func appendNumber(_ value: Double, to output: inout String) {
        output += value.isFinite ? "\(value)" : "null"
    }

    /// Appends a JSON string literal, or `null`.
    public static func appendString(_ value: String?, to output: inout String) {
        if let value { appendString(value, to: &output) } else { output += "null" }
    }
}
