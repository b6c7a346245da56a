private let hexDigits = Array("0123456789abcdef".utf8)

extension Sequence<UInt8> {
    /// Lower-case hexadecimal, two digits a byte (digests shown as ids and fingerprints).
    public var hexEncoded: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
