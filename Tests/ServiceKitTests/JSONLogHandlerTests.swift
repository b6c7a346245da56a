import Foundation
import Testing

@testable import ServiceKit

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test func timestampsAreRFC3339InUTC() throws {
        let stamp = JSONLogHandler.timestamp()
        #expect(stamp.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression) != nil, "\(stamp)")
        let parsed = try Date(stamp, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true))
        #expect(abs(parsed.timeIntervalSinceNow) < 5)
    }
}
