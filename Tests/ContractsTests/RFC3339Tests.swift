import Contracts
import Foundation
import Testing

@Suite("RFC 3339 date-times")
struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0), ("2026-12-05T10:00:00Z", 1_796_464_800), ("2026-12-05t10:00:00z", 1_796_464_800),
        ("2026-12-05T11:30:00+01:30", 1_796_464_800), ("2026-12-05T08:00:00-02:00", 1_796_464_800),
        ("2024-02-29T00:00:00Z", 1_709_164_800), ("2000-02-29T00:00:00Z", 951_782_400),
        // A leap second at 23:59 UTC, wherever the offset puts it: the instant after 23:59:59.
        ("2016-12-31T23:59:60Z", 1_483_228_800), ("2017-01-01T00:59:60+01:00", 1_483_228_800),
        // Year 1 in the proleptic Gregorian calendar, as PostgreSQL counts it (Foundation's Julian reading is two days off).
        ("0001-01-01T00:00:00Z", -62_135_596_800),
    ] as [(String, Int)])
    func instantsAreRead(text: String, seconds: Int) {
        #expect(RFC3339.date(from: text) == Date(timeIntervalSince1970: Double(seconds)), "\(text)")
    }

    @Test func fractionsAreKept() throws {
        let date = try #require(RFC3339.date(from: "1970-01-01T00:00:01.25Z"))
        #expect(date.timeIntervalSince1970 == 1.25)
    }

    @Test(arguments: [
        "", "2026-12-05", "2026-12-05T10:00:00", "2026-12-05 10:00:00Z", "2026-12-05T10:00Z", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-05T24:00:00Z",
        "2026-12-05T10:60:00Z", "2026-12-05T10:00:60Z", "2016-12-31T23:59:60+01:00", "2026-12-05T10:00:00.Z",
        "2026-12-05T10:00:00+0100", "2026-12-05T10:00:00+24:00", "+2026-12-05T10:00:00Z", "2026-12-05T10:00:00Zjunk",
        "２０２６-12-05T10:00:00Z", "20261-12-05T10:00:00Z",
    ])
    func anythingElseIsRefused(text: String) {
        #expect(RFC3339.date(from: text) == nil, "\(text)")
    }
}
