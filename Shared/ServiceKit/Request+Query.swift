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
