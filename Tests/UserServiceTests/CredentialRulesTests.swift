import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// Passwords, emails and lengths as an attacker or a careless client would send them.
@Suite("User service: credential and length rules")
struct CredentialRulesTests {
    private func fieldMessage(_ response: TestResponse, _ field: String) throws -> String? {
        guard case .object(let fields) = try decode(ErrorEnvelope.self, response).error.details?["fields"],
            case .string(let message) = fields[field]
        else { return nil }
        return message
    }

    @Test func passwordsWithControlCharactersAreRefused() async throws {
        try await withUserService { client in
            // bcrypt reads a C string: this password would have been stored as "ab".
            for password in ["ab\u{0}cdefghijkl", "abcdefgh\u{7}", "tab\there-and-more", "line\nbreak-password"] {
                let refused = try await client.register("ctl-\(UUID().uuidString.prefix(6))@example.com", password: password)
                #expect(refused.status == .unprocessableContent, "\(password.debugDescription)")
                #expect(try fieldMessage(refused, "password") == "must not contain control characters")
            }
            // A login with one can never match, whatever bcrypt would make of it.
            let login = try await client.login("nobody@example.com", "ab\u{0}cdefghijkl")
            #expect(login.status == .unauthorized)
        }
    }

    @Test func passwordsLongerThanBcryptReadsAreRefusedAndTheLongestAllowedWorks() async throws {
        try await withUserService { client in
            let longest = String(repeating: "p", count: 72)
            #expect(try await client.register("long@example.com", password: longest).status == .created)
            #expect(try await client.login("long@example.com", longest).status == .ok)
            // Past 72 bytes bcrypt would ignore the rest: refused, not silently shortened.
            let tooLong = try await client.register("longer@example.com", password: longest + "q")
            #expect(tooLong.status == .unprocessableContent)
            #expect(try fieldMessage(tooLong, "password")?.contains("72 bytes") == true)
            // Bytes, not characters: 24 euro signs are 72 bytes, 25 are 75.
            #expect(try await client.register("euro@example.com", password: String(repeating: "€", count: 24)).status == .created)
            #expect(try await client.register("euro2@example.com", password: String(repeating: "€", count: 25)).status
                == .unprocessableContent)
            // And the shortest: 8 characters, counted as code points.
            #expect(try await client.register("short@example.com", password: "1234567").status == .unprocessableContent)
            #expect(try await client.register("short2@example.com", password: "12345678").status == .created)
        }
    }

    @Test func oneEmailInTwoUnicodeFormsIsOneAccount() async throws {
        try await withUserService { client in
            let composed = "jos\u{E9}@example.com"  // é as one code point (NFC)
            let decomposed = "jose\u{301}@example.com"  // e and a combining accent (NFD)
            #expect(composed.unicodeScalars.count != decomposed.unicodeScalars.count)
            let first = try await client.register(composed)
            #expect(first.status == .created)
            let second = try await client.register(decomposed.uppercased())
            #expect(second.status == .conflict)
            #expect(errorCode(second) == "email_taken")
            let login = try await client.login(decomposed, "correct horse battery")
            #expect(login.status == .ok)
            #expect(try decode(AuthResponse.self, login).user.uid == decode(AuthResponse.self, first).user.uid)
        }
    }

    @Test func lengthsCountCodePointsNotWhatLooksLikeOneCharacter() async throws {
        try await withUserService { client in
            // One grapheme cluster, 150,001 code points (300 KB): "1 character" to Swift's count.
            let huge = "a" + String(repeating: "\u{301}", count: 150_000)
            #expect(huge.count == 1)
            let refused = try await client.register("huge@example.com", firstName: huge)
            #expect(refused.status == .unprocessableContent)
            #expect(try fieldMessage(refused, "first_name") != nil)
            let user = try await client.newUser()
            let patched = try await client.send(
                "/api/v1/users/me", .patch, headers: bearer(user.token.idToken), body: json(["last_name": huge]))
            #expect(patched.status == .unprocessableContent)
            // A name of 100 accented letters (200 code points) is over 100 too.
            let accented = String(repeating: "e\u{301}", count: 100)
            #expect(try await client.register("accent@example.com", firstName: accented).status == .unprocessableContent)
            #expect(try await client.register("accent2@example.com", firstName: String(accented.unicodeScalars.prefix(100).map(Character.init)))
                .status == .created)
        }
    }
}
