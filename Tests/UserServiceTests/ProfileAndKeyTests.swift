import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("User service: profile, API keys, internal routes, JWKS")
struct ProfileAndKeyTests {
    @Test func meCanBeReadAndPatched() async throws {
        try await withUserService { client in
            let user = try await client.newUser()
            #expect(try await client.send("/api/v1/users/me").status == .unauthorized)
            #expect(try await client.send("/api/v1/users/me", headers: bearer("not.a.token")).status == .unauthorized)
            let me = try decode(UserResponse.self, try await client.send("/api/v1/users/me", headers: bearer(user.token.idToken)))
            #expect(me.uid == user.user.uid)
            #expect(!me.profileCompleted)

            let patched = try await client.send(
                "/api/v1/users/me", .patch, headers: bearer(user.token.idToken),
                body: json(["first_name": "Augusta", "phone_number": "+44 20 7946 0000", "timezone": "Europe/London", "language": "en-GB"]))
            #expect(patched.status == .ok)
            let updated = try decode(UserResponse.self, patched)
            #expect(updated.firstName == "Augusta")
            #expect(updated.profileCompleted)
            #expect(updated.timezone == "Europe/London")

            let invalid = try await client.send("/api/v1/users/me", .patch, headers: bearer(user.token.idToken), body: json(["timezone": "Not A Zone!"]))
            #expect(invalid.status == .unprocessableContent)
            let cleared = try decode(UserResponse.self, try await client.send(
                "/api/v1/users/me", .patch, headers: bearer(user.token.idToken), body: ByteBuffer(string: #"{"phone_number": null}"#)))
            #expect(cleared.phoneNumber == nil)
        }
    }

    @Test func aDeletedAccountCannotLogIn() async throws {
        try await withUserService { client in
            let user = try await client.newUser("gone@example.com")
            #expect(try await client.send("/api/v1/users/me", .delete, headers: bearer(user.token.idToken)).status == .noContent)
            #expect(try await client.send("/api/v1/users/me", headers: bearer(user.token.idToken)).status == .notFound)
            let login = try await client.login("gone@example.com", "correct horse battery")
            #expect(login.status == .unauthorized)
            #expect(errorCode(login) == "invalid_credentials")
            let refresh = try await client.send("/api/v1/auth/refresh", .post, body: json(["refresh_token": user.token.refreshToken]))
            #expect(refresh.status == .unauthorized)
        }
    }

    @Test func apiKeysAreForAdminsAndShownOnce() async throws {
        try await withUserService { client in
            let customer = try await client.newUser()
            let body = json(["name": "reporting", "permissions": ["products:read", "orders:read"], "rate_limit": 120])
            #expect(try await client.send("/api/v1/api-keys", .post, body: body).status == .unauthorized)
            let forbidden = try await client.send("/api/v1/api-keys", .post, headers: bearer(customer.token.idToken), body: body)
            #expect(forbidden.status == .forbidden)
            #expect(errorCode(forbidden) == "forbidden")

            let admin = try await client.adminToken()
            let created = try await client.send("/api/v1/api-keys", .post, headers: bearer(admin), body: body)
            #expect(created.status == .created)
            let key = try decode(APIKeyResponse.self, created)
            let secret = try #require(key.key)
            #expect(secret.hasPrefix("ek_"))
            #expect(key.permissions == ["orders:read", "products:read"])
            #expect(key.usageCount == 0)

            let listed = try await client.send("/api/v1/api-keys", headers: bearer(admin))
            #expect(listed.status == .ok)
            #expect(!String(buffer: listed.body).contains(secret))
            #expect(try decode(Page<APIKeyResponse>.self, listed).data.map(\.id) == [key.id])

            let resolve = { try await client.send(
                "/internal/api-keys/resolve", .post, headers: [.internalToken: internalToken], body: json(["key": secret])) }
            let resolved = try decode(ResolvedAPIKey.self, try await resolve())
            #expect(resolved.id == key.id)
            #expect(resolved.permissions == key.permissions)
            #expect(resolved.rateLimit == 120)
            // The token for the gateway is a valid one (not 401) that acts for no user and is no admin.
            let keyToken = resolved.token
            #expect(!keyToken.isEmpty)
            let me = try await client.send("/api/v1/users/me", headers: bearer(keyToken))
            #expect(me.status == .forbidden)
            #expect(try await client.send("/api/v1/api-keys", headers: bearer(keyToken)).status == .forbidden)

            #expect(try await client.send("/api/v1/api-keys/\(key.id)", .delete, headers: bearer(admin)).status == .noContent)
            #expect(try await client.send("/api/v1/api-keys/\(key.id)", .delete, headers: bearer(admin)).status == .notFound)
            #expect(try await resolve().status == .notFound)
        }
    }

    @Test func apiKeyUseIsCountedWithoutAWritePerRequest() async throws {
        try await withUserService(environment: ["API_KEY_USAGE_FLUSH_MS": "100"]) { client in
            let admin = try await client.adminToken()
            let created = try decode(APIKeyResponse.self, try await client.send(
                "/api/v1/api-keys", .post, headers: bearer(admin),
                body: json(["name": "counted", "permissions": ["orders:read"], "rate_limit": 60])))
            for _ in 0..<3 {
                let resolved = try await client.send(
                    "/internal/api-keys/resolve", .post, headers: [.internalToken: internalToken], body: json(["key": created.key!]))
                #expect(resolved.status == .ok)
            }
            var listed: APIKeyResponse?
            for _ in 0..<200 {  // up to 10 s: the flush is periodic and a busy machine delays it
                listed = try decode(Page<APIKeyResponse>.self, try await client.send("/api/v1/api-keys", headers: bearer(admin))).data.first
                if listed?.usageCount == 3 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(listed?.usageCount == 3)
            #expect(listed?.lastUsed != nil)
        }
    }

    @Test func apiKeyInputIsValidated() async throws {
        try await withUserService { client in
            let admin = try await client.adminToken()
            let unknown = try await client.send(
                "/api/v1/api-keys", .post, headers: bearer(admin),
                body: json(["name": "x", "permissions": ["everything"], "rate_limit": 10]))
            #expect(unknown.status == .unprocessableContent)
            let past = try await client.send(
                "/api/v1/api-keys", .post, headers: bearer(admin),
                body: json(["name": "x", "permissions": [], "rate_limit": 10, "expires_at": "2001-01-01T00:00:00Z"]))
            #expect(past.status == .unprocessableContent)
        }
    }

    @Test func internalRoutesNeedTheInternalToken() async throws {
        try await withUserService { client in
            let user = try await client.newUser()
            let path = "/internal/users/\(user.user.uid)"
            #expect(try await client.send(path).status == .unauthorized)
            #expect(try await client.send(path, headers: [.internalToken: "guess"]).status == .unauthorized)
            let found = try await client.send(path, headers: [.internalToken: internalToken])
            #expect(found.status == .ok)
            #expect(try decode(UserResponse.self, found).email == user.user.email)
            #expect(try await client.send("/internal/users/nobody", headers: [.internalToken: internalToken]).status == .notFound)
        }
    }

    @Test func jwksPublishesTheSigningKey() async throws {
        try await withUserService { client in
            let token = try await client.newUser().token.idToken
            let header = try #require(Data(base64URL: String(token.split(separator: ".")[0])))
            let kid = try #require((try JSONSerialization.jsonObject(with: header) as? [String: Any])?["kid"] as? String)
            let jwks = try await client.send("/.well-known/jwks.json")
            #expect(jwks.status == .ok)
            let keys = try #require((try JSONSerialization.jsonObject(with: Data(buffer: jwks.body)) as? [String: Any])?["keys"] as? [[String: Any]])
            #expect(keys.map { $0["kid"] as? String } == [kid])
            #expect(keys.first?["d"] == nil)
            #expect(keys.first?["alg"] as? String == "ES256")
        }
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
