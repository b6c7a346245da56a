import Contracts
import Foundation
import Hummingbird

extension Request {
    /// A query value as sent, empty or not, read as form encoding writes it (`+` is a space, as
    /// browsers and most HTTP clients send one, then `%XX`), the first if the name repeats;
    /// nil when absent, 400 when it holds a NUL.
    private func sentValue(_ name: String) throws -> String? {
        func decoded(_ part: Substring) -> String {
            let spaced = part.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        for pair in (uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard decoded(parts[0]) == name else { continue }
            let value = parts.count > 1 ? decoded(parts[1]) : ""
            guard !value.utf8.contains(0) else { throw APIError.badRequest("query parameter \(name) must not contain a NUL character") }
            return value
        }
        return nil
    }

    /// A query value, or `nil` when absent; an empty value counts as absent. 400 `bad_request`
    /// for a value holding a NUL character (`%00`): PostgreSQL text cannot hold one, so no
    /// service could store or find it, and the database would refuse it as a 422 otherwise.
    public func query(_ name: String) throws -> String? {
        guard let value = try sentValue(name), !value.isEmpty else { return nil }
        return value
    }

    /// A typed query value's text: nil when absent, 400 when present but empty (`?is_featured=`
    /// is not a boolean, and a client that sends it means something it did not get).
    private func typedQuery(_ name: String, _ what: String) throws -> String? {
        guard let text = try sentValue(name) else { return nil }
        guard !text.isEmpty else { throw APIError.badRequest("query parameter \(name) must be \(what)") }
        return text
    }

    public func queryInt(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        let what = range == Int.min...Int.max ? "an integer" : "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let text = try typedQuery(name, what) else { return nil }
        guard let value = Int(text), range.contains(value) else { throw APIError.badRequest("query parameter \(name) must be \(what)") }
        return value
    }

    /// `true` or `false`; 400 for anything else.
    public func queryBool(_ name: String) throws -> Bool? {
        switch try typedQuery(name, "true or false") {
        case nil: return nil
        case "true": return true
        case "false": return false
        default: throw APIError.badRequest("query parameter \(name) must be true or false")
        }
    }

    /// An amount such as `19.99`; 400 when present but not one.
    public func queryMoney(_ name: String) throws -> Money? {
        guard let text = try typedQuery(name, "an amount") else { return nil }
        guard let money = Money(string: text) else { throw APIError.badRequest("query parameter \(name) must be an amount") }
        return money
    }

    /// The times a filter may name: from the Unix epoch to the end of year 9999. A time outside
    /// is moved to the nearer end, which filters the same rows (none are older or newer).
    public static let filterTimes = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799)

    /// An RFC 3339 query value (``RFC3339``), within ``filterTimes``; 400 when present but not one.
    public func queryDate(_ name: String) throws -> Date? {
        guard let text = try typedQuery(name, "an RFC 3339 date-time") else { return nil }
        // `?since=2026-01-31T12:00:00+01:00` sent without encoding its `+` reads as a space.
        guard let date = RFC3339.date(from: text) ?? RFC3339.date(from: text.replacingOccurrences(of: " ", with: "+")) else {
            throw APIError.badRequest("query parameter \(name) must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z")
        }
        return min(max(date, Self.filterTimes.lowerBound), Self.filterTimes.upperBound)
    }

    /// A value from a fixed set; 400 naming the allowed ones otherwise.
    public func queryChoice(_ name: String, in allowed: [String]) throws -> String? {
        guard let text = try typedQuery(name, "one of \(allowed.joined(separator: ", "))") else { return nil }
        guard allowed.contains(text) else {
            throw APIError.badRequest("query parameter \(name) must be one of \(allowed.joined(separator: ", "))")
        }
        return text
    }

    /// `?limit=&offset=` within the contract's bounds (limit 1 to 100, default 20; offset 0 to
    /// ``PageRequest/maxOffset``); 400 outside them.
    public func pageRequest() throws -> PageRequest {
        guard let page = PageRequest(
            limit: try queryInt("limit", in: 1...PageRequest.maxLimit), offset: try queryInt("offset", in: 0...PageRequest.maxOffset))
        else { throw APIError.badRequest("limit must be 1 to \(PageRequest.maxLimit)") }
        return page
    }
}
