import Foundation
import ServiceKit

/// How an email is compared: the same text a user typed, whatever its Unicode form or case.
enum EmailAddress {
    /// Surrounding blanks (``FieldErrors/blanks``) dropped, then canonical composition (NFC: "é" typed as `e` plus a
    /// combining accent is the same address as the precomposed "é"), then lower case (the
    /// contract's case rule). Registration, login and the bootstrap admin all go through
    /// this, so one address is one account.
    static func normalized(_ raw: String) -> String {
        FieldErrors.trimmed(raw).precomposedStringWithCanonicalMapping.lowercased()
            .precomposedStringWithCanonicalMapping
    }
}
