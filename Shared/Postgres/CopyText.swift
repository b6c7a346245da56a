/// COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return escaped.
enum CopyText {
    static func append(_ value: String?, to buffer: inout [UInt8]) {
        guard let value else {
            buffer.append(contentsOf: [92, 78])
            return
        }
        for byte in value.utf8 {
            switch byte {
            case 92: buffer.append(contentsOf: [92, 92])
            case 9: buffer.append(contentsOf: [92, 116])
            case 10: buffer.append(contentsOf: [92, 110])
            case 13: buffer.append(contentsOf: [92, 114])
            default: buffer.append(byte)
            }
        }
    }
}
