import Foundation
import TestSupport
import Testing

@testable import Postgres

@Suite("Values round-trip through PostgreSQL")
struct DecodingTests {
    @Test func numericKeepsEveryDigit() async throws {
        let pool = try await TestDatabase.pool("numeric", maxConnections: 1)
        let big = Decimal(string: "12345678901234567890.123456789")!
        let row = try await pool.query(
            "SELECT \(big)::numeric AS big, \(Decimal(string: "0.1")!) + \(Decimal(string: "0.2")!) AS sum, 19.99::numeric(12,2) AS price"
        ).first!
        #expect(try row.decode("big", as: Decimal.self) == big)
        #expect(try row.decode("sum", as: Decimal.self) == Decimal(string: "0.3")!)
        #expect(try row.decode("price", as: Decimal.self) == Decimal(string: "19.99")!)
        await pool.close()
    }

    @Test func nullsDecodeAsNilAndNonOptionalNullNamesTheColumn() async throws {
        let pool = try await TestDatabase.pool("nulls", maxConnections: 1)
        let missing: String? = nil
        let row = try await pool.query("SELECT NULL::int AS count, \(missing)::text AS label").first!
        #expect(try row.decode("count", as: Int?.self) == nil)
        #expect(try row.decode("label", as: String?.self) == nil)
        let error = #expect(throws: PostgresDecodingError.self) { try row.decode("count", as: Int.self) }
        #expect(error?.column == "count")
        #expect(error?.reason == "unexpected NULL")
        await pool.close()
    }

    @Test func timestampsKeepMicroseconds() async throws {
        let pool = try await TestDatabase.pool("timestamps", maxConnections: 1)
        let moment = Date(timeIntervalSince1970: 1_714_566_605.123456)
        let early = Date(timeIntervalSince1970: -2_208_988_800.5)  // 1899-12-31 23:59:59.5 UTC
        let row = try await pool.query(
            """
            SELECT \(moment) AS moment, \(early) AS early,
                   '2024-02-29 23:59:59.999999+05:30'::timestamptz AS offset_time,
                   '2024-02-29 10:00:00'::timestamp AS local_time
            """
        ).first!
        let decoded = try row.decode("moment", as: Date.self)
        #expect(abs(decoded.timeIntervalSince1970 - moment.timeIntervalSince1970) < 0.000_001)
        #expect(try row.decode("early", as: Date.self) == early)
        let offsetTime = try row.decode("offset_time", as: Date.self).timeIntervalSince1970
        #expect(abs(offsetTime - 1_709_231_399.999999) < 0.000_001)
        #expect(try row.decode("local_time", as: Date.self) == Date(timeIntervalSince1970: 1_709_200_800))
        await pool.close()
    }

    @Test func textArraysSurviveQuotesCommasBracesAndTheWordNull() async throws {
        let pool = try await TestDatabase.pool("arrays", maxConnections: 1)
        let tags = ["plain", "two words", "with,comma", "quote\"d", "back\\slash", "NULL", "", "{brace}", "ünïcödé"]
        let row = try await pool.query(
            "SELECT \(tags) AS tags, \([3, -1, 42]) AS numbers, ARRAY[]::text[] AS empty, '{a,NULL}'::text[] AS with_null"
        ).first!
        #expect(try row.decode("tags", as: [String].self) == tags)
        #expect(try row.decode("numbers", as: [Int].self) == [3, -1, 42])
        #expect(try row.decode("empty", as: [String].self) == [])
        #expect(throws: PostgresDecodingError.self) { try row.decode("with_null", as: [String].self) }
        await pool.close()
    }

    @Test func jsonbRoundTrips() async throws {
        struct Attributes: Codable, Equatable {
            var colour: String
            var sizes: [Int]
            var nested: [String: Double]
            var note: String?
        }
        let pool = try await TestDatabase.pool("jsonb", maxConnections: 1)
        let value = Attributes(colour: "blå \"navy\"", sizes: [38, 40], nested: ["weight": 1.25], note: nil)
        let row = try await pool.query("SELECT \(try PostgresJSONB(encoding: value)) AS doc").first!
        #expect(try row.decode("doc", as: PostgresJSONB.self).decode(as: Attributes.self) == value)
        await pool.close()
    }

    @Test func uuidBoolAndDoubleDecode() async throws {
        let pool = try await TestDatabase.pool("scalars", maxConnections: 1)
        let id = UUID()
        let row = try await pool.query("SELECT \(id) AS id, \(true) AS yes, \(2.5) AS ratio, \(Int32(7)) AS small").first!
        #expect(try row.decode("id", as: UUID.self) == id)
        #expect(try row.decode("yes", as: Bool.self))
        #expect(try row.decode("ratio", as: Double.self) == 2.5)
        #expect(try row.decode("small", as: Int32.self) == 7)
        await pool.close()
    }

    @Test func typeMismatchNamesColumnAndBothTypes() async throws {
        let pool = try await TestDatabase.pool("mismatch", maxConnections: 1)
        let row = try await pool.query("SELECT 'abc'::text AS product_name").first!
        let error = #expect(throws: PostgresDecodingError.self) { try row.decode("product_name", as: Int.self) }
        #expect(error?.column == "product_name")
        #expect(error?.wanted == "Int")
        #expect(error?.found == .text)
        #expect(error?.description.contains("product_name") == true)
        await pool.close()
    }

    @Test func interpolatedValuesAreNeverSQL() async throws {
        let pool = try await TestDatabase.pool("injection", maxConnections: 1)
        try await pool.query("CREATE TABLE victims (name TEXT)")
        let hostile = "x'); DROP TABLE victims; --"
        try await pool.query("INSERT INTO victims VALUES (\(hostile))")
        let name: String = try await pool.query("SELECT name FROM victims").first!.decode("name")
        #expect(name == hostile)
        await pool.close()
    }

    @Test func serverErrorsCarrySQLStateButDescriptionsLeakNoValues() async throws {
        let pool = try await TestDatabase.pool("errors", maxConnections: 1)
        try await pool.query("CREATE TABLE accounts (email TEXT CONSTRAINT accounts_email_key UNIQUE)")
        try await pool.query("INSERT INTO accounts VALUES (\("secret@example.com"))")
        let error = await #expect(throws: PostgresError.self) {
            try await pool.query("INSERT INTO accounts VALUES (\("secret@example.com"))")
        }
        #expect(error?.sqlState == .uniqueViolation)
        #expect(error?.constraint == "accounts_email_key")
        #expect(error?.description.contains("secret") == false)
        #expect(error.map { String(reflecting: $0) }?.contains("secret@example.com") == true)
        await pool.close()
    }

    @Test func unknownSQLStateIsKept() {
        let state = SQLState(rawValue: "XX999")
        #expect(state.rawValue == "XX999")
        #expect(state.errorClass == "XX")
        #expect(!state.isTransient)
        #expect(SQLState.serializationFailure.isTransient)
    }

    @Test func timestampTextFormatAndParseAgree() {
        let dates = [0, 951_782_400.5, -62_135_596_800, 4_102_444_799.999999].map(Date.init(timeIntervalSince1970:))
        for date in dates {
            let text = PostgresTimestamp.format(date)
            let parsed = PostgresTimestamp.parse(text)
            #expect(parsed.map { abs($0.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001 } == true, "\(text)")
        }
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00+00")
        #expect(PostgresTimestamp.parse("2024-13-01 00:00:00+00") == nil)
        #expect(PostgresTimestamp.parse("infinity") == nil)
    }

    @Test func queryAppendRenumbersPlaceholders() {
        var query: PostgresQuery = "SELECT * FROM products WHERE price > \(Decimal(5))"
        query.append(" AND name = \("a") AND note <> '$1'")
        #expect(query.sql == "SELECT * FROM products WHERE price > $1 AND name = $2 AND note <> '$1'")
        #expect(query.binds.count == 2)
    }
}
