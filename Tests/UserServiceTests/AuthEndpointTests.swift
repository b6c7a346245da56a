import Contracts
import Foundation
import HTTPClient
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("User service: register, login, refresh, logout, sessions")
struct AuthEndpointTests {
    @Test func registerReturnsTheUserAndTokensButNeverThePassword() async throws {
        try await withUserService { client in
            let response = try await client.register("Ada@Example.COM")
            #expect(response.status == .created)
            let text = String(buffer: response.body)
            #expect(!text.contains("password") && !text.contains("$2"))
            let body = try decode(AuthResponse.self, response)
            #expect(body.user.email == "ada@example.com")
            #expect(body.user.uid.count == 28)
            #expect(body.user.roles == ["customer"])
            #expect(body.user.status == "active")
            #expect(body.token.tokenType == "Bearer")
            #expect(body.token.expiresIn == 900)
            #expect(body.token.idToken.split(separator: ".").count == 3)
        }
    }

    @Test func emailsAreUniqueIgnoringCase() async throws {
        try await withUserService { client in
            #expect(try await client.register("grace@example.com").status == .created)
            let again = try await client.register("GRACE@example.com")
            #expect(again.status == .conflict)
            #expect(errorCode(again) == "email_taken")
        }
    }

    @Test func twentyConcurrentRegistrationsOfOneEmailGiveOneAccount() async throws {
        try await withUserService { client in
            let body = Array(#"{"email":"race@example.com","password":"correct horse battery","first_name":"A","last_name":"L"}"#.utf8)
            let statuses = try await sendConcurrently(20) { _ in
                HTTPClientRequest(
                    method: "POST", url: "http://127.0.0.1:\(client.port!)/api/v1/auth/register",
                    headers: [("Content-Type", "application/json")], body: body)
            }.map(\.status)
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 19)
        }
    }

    @Test func registrationIsValidated() async throws {
        try await withUserService { client in
            let short = try await client.register("a@example.com", password: "short")
            #expect(short.status == .unprocessableContent)
            #expect(try decode(ErrorEnvelope.self, short).error.details?["fields"] == .object(["password": .string("must be at least 8 characters and at most 72 bytes of UTF-8")]))
            let missing = try await client.send("/api/v1/auth/register", .post, body: json(["email": "not-an-email"]))
            #expect(missing.status == .unprocessableContent)
            let fields = try decode(ErrorEnvelope.self, missing).error.details?["fields"]
            #expect(fields.map { "\($0)" }?.contains("first_name") == true)
            let wrongType = try await client.send("/api/v1/auth/register", .post, body: json(["email": 42]))
            #expect(wrongType.status == .badRequest)
            #expect(try await client.send("/api/v1/auth/register", .post, body: ByteBuffer(string: "{nope")).status == .badRequest)
        }
    }

    @Test func loginCountsAndRefusesWrongCredentialsAlike() async throws {
        try await withUserService { client in
            _ = try await client.newUser("lin@example.com")
            let ok = try await client.login("LIN@example.com", "correct horse battery")
            #expect(ok.status == .ok)
            let body = try decode(AuthResponse.self, ok)
            #expect(body.user.loginCount == 1)
            #expect(body.user.lastLoginAt != nil)

            let wrongPassword = try await client.login("lin@example.com", "wrong password")
            let unknownEmail = try await client.login("nobody@example.com", "wrong password")
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknownEmail.status == .unauthorized)
            #expect(errorCode(wrongPassword) == "invalid_credentials")
            #expect(try decode(ErrorEnvelope.self, wrongPassword).error.message == decode(ErrorEnvelope.self, unknownEmail).error.message)
            #expect(try await client.send("/api/v1/auth/login", .post, body: json(["email": "x@example.com"])).status == .unprocessableContent)
        }
    }

    @Test func refreshRotatesAndAReusedTokenRevokesTheSession() async throws {
        try await withUserService { client in
            let first = try await client.newUser().token
            let refreshed = try await client.send("/api/v1/auth/refresh", .post, body: json(["refresh_token": first.refreshToken]))
            #expect(refreshed.status == .ok)
            let second = try decode(RefreshResponse.self, refreshed).token
            #expect(second.refreshToken != first.refreshToken)
            #expect(try await client.send("/api/v1/users/me", headers: bearer(second.idToken)).status == .ok)

            // The old token again: someone copied it. Both stop working.
            let reused = try await client.send("/api/v1/auth/refresh", .post, body: json(["refresh_token": first.refreshToken]))
            #expect(reused.status == .unauthorized)
            let afterReuse = try await client.send("/api/v1/auth/refresh", .post, body: json(["refresh_token": second.refreshToken]))
            #expect(afterReuse.status == .unauthorized)

            let unknown = try await client.send("/api/v1/auth/refresh", .post, body: json(["refresh_token": "nope.nope"]))
            #expect(unknown.status == .unauthorized)
            #expect(errorCode(unknown) == "unauthorized")
            #expect(try await client.send("/api/v1/auth/refresh", .post, body: json([:])).status == .unprocessableContent)
        }
    }

    @Test func logoutEndsTheSessionsRefreshToken() async throws {
        try await withUserService { client in
            let token = try await client.newUser().token
            #expect(try await client.send("/api/v1/auth/logout", .post).status == .unauthorized)
            #expect(try await client.send("/api/v1/auth/logout", .post, headers: bearer(token.idToken)).status == .noContent)
            let refresh = try await client.send("/api/v1/auth/refresh", .post, body: json(["refresh_token": token.refreshToken]))
            #expect(refresh.status == .unauthorized)
        }
    }

    @Test func sessionsAreListedAndRevokedOnlyByTheirOwner() async throws {
        try await withUserService { client in
            let registered = try await client.newUser("sam@example.com")
            let login = try decode(AuthResponse.self, try await client.login("sam@example.com", "correct horse battery"))
            let listed = try await client.send(
                "/api/v1/auth/sessions", headers: bearer(login.token.idToken).merging([.userAgent: "Mozilla/5.0 (iPhone) Safari/604.1"]))
            #expect(listed.status == .ok)
            let sessions = try decode(ListResponse<SessionResponse>.self, listed).data
            #expect(sessions.count == 2)
            #expect(sessions.filter(\.current).count == 1)
            #expect(!String(buffer: listed.body).contains("refresh"))

            let other = try await client.newUser()
            let target = try #require(sessions.first { !$0.current }).sessionToken
            let foreign = try await client.send("/api/v1/auth/sessions/\(target)", .delete, headers: bearer(other.token.idToken))
            #expect(foreign.status == .notFound)
            #expect(try await client.send("/api/v1/auth/sessions/\(target)", .delete, headers: bearer(login.token.idToken)).status == .noContent)
            #expect(try await client.send("/api/v1/auth/sessions/missing", .delete, headers: bearer(login.token.idToken)).status == .notFound)
            let remaining = try decode(ListResponse<SessionResponse>.self, try await client.send("/api/v1/auth/sessions", headers: bearer(login.token.idToken))).data
            #expect(remaining.map(\.sessionToken) == sessions.filter(\.current).map(\.sessionToken))
            let revokedRefresh = try await client.send("/api/v1/auth/refresh", .post, body: json(["refresh_token": registered.token.refreshToken]))
            #expect(revokedRefresh.status == .unauthorized)
            #expect(try await client.send("/api/v1/auth/sessions").status == .unauthorized)
        }
    }

    @Test func sessionsRecordTheUserAgent() async throws {
        try await withUserService { client in
            _ = try await client.newUser("ua@example.com")
            let agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
            let login = try await client.send(
                "/api/v1/auth/login", .post, headers: [.userAgent: agent],
                body: json(["email": "ua@example.com", "password": "correct horse battery"]))
            let token = try decode(AuthResponse.self, login).token.idToken
            let sessions = try decode(ListResponse<SessionResponse>.self, try await client.send("/api/v1/auth/sessions", headers: bearer(token))).data
            let current = try #require(sessions.first { $0.current })
            #expect(current.browser == "Chrome")
            #expect(current.os == "Windows")
            #expect(current.deviceType == "desktop")
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged.append(field) }
        return merged
    }
}
