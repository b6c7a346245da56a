import Contracts
import Foundation
import Primitives
import Testing

@Suite("Hand-written JSON and timestamps")
struct JSONTextTests {
    /// What Foundation writes, to compare with.
    private func reference(_ date: Date, microseconds: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        if !microseconds {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            guard let data = try? encoder.encode([date]), let text = try? JSONDecoder().decode([String].self, from: data).first
            else { return "unencodable" }
            return text
        }
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.year!, parts.month!, parts.day!, parts.hour!,
            parts.minute!, parts.second!, Int(micros - seconds * 1_000_000))
    }

    @Test(arguments: ["plain", "quote \" and backslash \\", "new\nline\ttab\rreturn", "bell \u{7} nul \u{0}", "é ✓ 🚀"])
    func stringsAreQuotedAsJSON(value: String) throws {
        var line = ""
        JSONText.appendString(value, to: &line)
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(line)]".utf8)) as? [String]
        #expect(parsed == [value])
    }

    @Test func bytesAreWrittenAsLowerCaseHex() {
        let bytes: [UInt8] = [0, 1, 0x0f, 0x10, 0x7f, 0x80, 0xab, 0xff]
        #expect(bytes.hexEncoded == bytes.map { String(format: "%02x", $0) }.joined())
        #expect([UInt8]().hexEncoded == "")
    }

    @Test func timestampsMatchFoundationFrom1900To2200() {
        var generator = SystemRandomNumberGenerator()
        var dates = [-2_208_988_800.0, -1.5, -0.000_000_4, 0, 951_782_400, 1_709_208_000.999_999_7, 7_258_118_399.5]
        for _ in 0..<2_000 { dates.append(Double.random(in: -2_208_988_800...7_258_118_400, using: &generator)) }
        for seconds in dates {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTimestamp.format(date) == reference(date, microseconds: false), "\(seconds)")
            #expect(UTCTimestamp.format(date, fractionDigits: 6) == reference(date, microseconds: true), "\(seconds)")
        }
    }

    private func product(admin: Bool, description: String?, tags: [String], rating: Double) -> ProductResponse {
        ProductResponse(
            id: 42, name: "Kettle \"Deluxe\" \\ 1.7 l — ☕️\u{1}\n\t", description: description,
            price: Money(cents: 2_450), stock: 7, categoryID: 3, sku: "K-1/2", imageURL: admin ? "https://cdn.example.com/k.png" : nil,
            status: "active", tags: tags, slug: "kettle-deluxe", isFeatured: admin,
            costPrice: admin ? Money(cents: 1_005) : nil, marginPercentage: admin ? 58.979_591_836_734_7 : nil,
            ratingAverage: rating, reviewCount: 3, createdAt: Date(timeIntervalSince1970: 1_763_766_121.456),
            updatedAt: Date(timeIntervalSince1970: -86_400.5))
    }

    @Test(arguments: [true, false])
    func productJSONIsTheDocumentTheEncoderWrites(admin: Bool) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        for value in [
            product(admin: admin, description: "Boils in \"2\" minutes.\r\nNo </script>", tags: ["kitchen", "tea", "ünïcode"], rating: 4.25),
            product(admin: admin, description: nil, tags: [], rating: 0),
        ] {
            let expected = try #require(try JSONSerialization.jsonObject(with: try encoder.encode(value)) as? NSDictionary)
            let written = try #require(try JSONSerialization.jsonObject(with: Data(value.jsonText.utf8)) as? NSDictionary)
            #expect(written == expected)
            #expect(written.allKeys.count == (admin ? 18 : 16))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let decoded = try decoder.decode(ProductResponse.self, from: Data(value.jsonText.utf8))
            #expect(decoded.name == value.name && decoded.description == value.description && decoded.costPrice == value.costPrice)
        }
    }

    @Test func aProductPageIsTheDocumentTheEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        for data in [[], [product(admin: false, description: "Tea\u{0}pot", tags: ["a"], rating: 3.5)],
                     [product(admin: true, description: nil, tags: [], rating: 0), product(admin: true, description: "x", tags: ["b", "c"], rating: 5)]] {
            let page = Page(data: data, page: PageInfo(limit: 20, offset: 40, total: 41 + data.count))
            let expected = try #require(try JSONSerialization.jsonObject(with: try encoder.encode(page)) as? NSDictionary)
            let written = try #require(try JSONSerialization.jsonObject(with: Data(page.jsonText.utf8)) as? NSDictionary)
            #expect(written == expected)
            #expect((written["data"] as? [Any])?.count == data.count)
        }
    }
}
