import Foundation
import Postgres
import ServiceKit

/// URL slugs: ASCII, lower case, words joined by `-` ("Crème Brûlée" → "creme-brulee").
enum Slug {
    static func make(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var slug = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                if pendingDash, !slug.isEmpty { slug += "-" }
                slug.unicodeScalars.append(scalar)
                pendingDash = false
            } else {
                pendingDash = true
            }
        }
        return slug.isEmpty ? "item" : String(slug.lowercased().prefix(200))
    }

    /// A slug a client may choose: 1 to 200 of `a-z`, `0-9` and inner `-`.
    static func isValid(_ slug: String) -> Bool {
        (1...200).contains(FieldErrors.length(slug)) && !slug.hasPrefix("-") && !slug.hasSuffix("-")
            && slug.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    /// The slug a client chose (409 if another row of `table` has it), or, when it chose none,
    /// one made from the name with `-2`, `-3`… appended as needed.
    static func unique(
        _ chosen: String?, name: String, excluding id: Int?, in table: StaticString, on connection: PostgresConnection
    ) async throws -> String {
        let base = chosen ?? Slug.make(name)
        let taken = Set(try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT slug FROM \(table) WHERE (slug = $1 OR slug LIKE $2) AND id <> $3",
                          binds: [PostgresBind(type: .text, text: base), PostgresBind(type: .text, text: base + "-%"),
                                  PostgresBind(type: .int8, text: String(id ?? -1))])
        ).map { try $0.decode("slug", as: String.self) })
        if !taken.contains(base) { return base }
        if chosen != nil { throw APIError(.conflict, "the slug \(base) is already used") }
        var suffix = 2
        while taken.contains("\(base)-\(suffix)") { suffix += 1 }
        return "\(base)-\(suffix)"
    }
}
