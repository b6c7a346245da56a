import Contracts
import Foundation
import Hummingbird

extension Request {
    /// A query value, or `nil` when absent; an empty value counts as absent. 400 `bad_request`
    /// for a value holding a NUL character (`%00`): PostgreSQL text cannot hold one, so no
    /// service could store or find it, and the database would refuse it as a 422 otherwise.
    public func query(_ name: String) throws -> String? {
        guard let value = uri.queryParameters.get(name), !value.isEmpty else { return nil }
        guard !value.utf8.contains(0) else { throw APIError.badRequest("query parameter \(name) must not contain a NUL character") }
        return value
    }

    /// An integer query value; 400 `bad_request` when present but not an integer.
    public func queryInt(_ name: String) throws -> Int? {
        guard let text = try query(name) else { return nil }
        guard let value = Int(text) else { throw APIError.badRequest("query parameter \(name) must be an integer") }
        return value
    }

    /// `true` or `false`; 400 for anything else.
    public func queryBool(_ name: String) throws -> Bool? {
        guard let text = try query(name) else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("query parameter \(name) must be true or false")
        }
    }

    /// An amount such as `19.99`; 400 when present but not one.
    public func queryMoney(_ name: String) throws -> Money? {
        guard let text = try query(name) else { return nil }
        guard let money = Money(string: text) else { throw APIError.badRequest("query parameter \(name) must be an amount") }
        return money
    }

    /// The times a filter may name: from the Unix epoch to the end of year 9999. Earlier ones
    /// would not mean what they say: Foundation reads dates before 1583 in the Julian calendar
    /// and PostgreSQL in the Gregorian one, so `0001-01-01` became a day of year 0, which
    /// PostgreSQL refuses (found by `make fuzz` as a 500).
    public static let filterTimes = Date(timeIntervalSince1970: 0)..<Date(timeIntervalSince1970: 253_402_300_800)

    /// An RFC 3339 query value within ``filterTimes``; 400 when present but not one.
    public func queryDate(_ name: String) throws -> Date? {
        guard let text = try query(name) else { return nil }
        let formatter = ISO8601DateFormatter()
        func parse(_ options: ISO8601DateFormatter.Options) -> Date? {
            formatter.formatOptions = options
            return formatter.date(from: text)
        }
        guard let date = parse([.withInternetDateTime, .withFractionalSeconds]) ?? parse([.withInternetDateTime]),
            Self.filterTimes.contains(date)
        else {
            throw APIError.badRequest(
                "query parameter \(name) must be an RFC 3339 time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z")
        }
        return date
    }

    /// A value from a fixed set; 400 naming the allowed ones otherwise.
    public func queryChoice(_ name: String, in allowed: [String]) throws -> String? {
        guard let text = try query(name) else { return nil }
        guard allowed.contains(text) else {
            throw APIError.badRequest("query parameter \(name) must be one of \(allowed.joined(separator: ", "))")
        }
        return text
    }

    /// `?limit=&offset=` within the contract's bounds (limit 1 to 100, default 20); 400 outside them.
    public func pageRequest() throws -> PageRequest {
        guard let page = PageRequest(limit: try queryInt("limit"), offset: try queryInt("offset")) else {
            throw APIError.badRequest("limit must be 1 to \(PageRequest.maxLimit) and offset at least 0")
        }
        return page
    }
}
