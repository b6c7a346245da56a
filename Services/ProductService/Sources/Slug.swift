import Foundation

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
        (1...200).contains(slug.count) && !slug.hasPrefix("-") && !slug.hasSuffix("-")
            && slug.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }
}
