import Foundation
import ServiceKit
import TestSupport
import Testing

/// The user service's document states its text rules as JSON Schema (`pattern`, `minLength`,
/// `maxLength`); FieldErrors enforces them in code. Both must give the same answer for every
/// sample, so neither can change alone.
@Suite("Documented rules: the documents' patterns and FieldErrors agree")
struct DocumentedRulesTests {
    /// What the register request's `property` admits, read from the document.
    private static func documented(_ property: String) throws -> (String) -> Bool {
        let url = TestEnvironment.repositoryRoot.appending(path: "docs/openapi/user-service.json")
        var node = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        for key in ["paths", "/api/v1/auth/register", "post", "requestBody", "content", "application/json", "schema", "properties", property] {
            node = try #require((node as? [String: Any])?[key], "no \(key) on the way to \(property)")
        }
        let rule = try #require(node as? [String: Any])
        let pattern = try NSRegularExpression(pattern: try #require(rule["pattern"] as? String))
        let lengths = (rule["minLength"] as? Int ?? 0)...(rule["maxLength"] as? Int ?? Int.max)
        return { value in
            // JSON Schema counts code points; a pattern matches anywhere unless anchored.
            lengths.contains(value.unicodeScalars.count)
                && pattern.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        }
    }

    private static let samples = [
        "", " ", "\t\n", "a", " a ", "Ada", "Ada Lovelace", "\u{00A0}", "é", "日本", String(repeating: "x", count: 100),
        String(repeating: "x", count: 101), "a@b.c", " a@b.co\t", "a@b", "@b.c", "a@.b", "a@b.", "a b@c.d", "a@@b.c",
        "a@b\u{00A0}.c", "ada@example.com", "Europe/Paris", "UTC", "Etc/GMT+1", "en", "pt-BR", "e", "en_US", "x!",
        String(repeating: "a", count: 64), String(repeating: "a", count: 65),
    ]

    @Test func emailsAreTheSame() throws {
        let admits = try Self.documented("email")
        for sample in Self.samples { #expect(admits(sample) == FieldErrors.isEmail(sample), "\(sample.debugDescription)") }
    }

    @Test func namesAreTheSame() throws {
        let admits = try Self.documented("first_name")
        for sample in Self.samples {
            var errors = FieldErrors()
            errors.check(name: sample, "first_name", length: 1...100, "must be 1 to 100 characters, not only blanks")
            #expect(admits(sample) == errors.fields.isEmpty, "\(sample.debugDescription)")
        }
    }

    @Test func timezonesAndLanguagesAreTheSame() throws {
        let timezone = try Self.documented("timezone"), language = try Self.documented("language")
        for sample in Self.samples {
            #expect(timezone(sample) == FieldErrors.isTimezone(sample), "\(sample.debugDescription)")
            #expect(language(sample) == FieldErrors.isLanguage(sample), "\(sample.debugDescription)")
        }
    }
}
