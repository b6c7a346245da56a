import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

@testable import Gateway

/// Guessing credentials is limited like anonymous requests: a refused token or key counts
/// against the caller's IP, and once that IP's limit is spent it gets 429, not 401, and an
/// unknown key is not even looked up.
@Suite("Gateway: invalid credentials are rate-limited")
struct CredentialLimitTests {
    private let keyHeader = HTTPField.Name("X-API-Key")!

    @Test func refusedCredentialsCountAgainstTheIPAndAreRefused429OnceItIsSpent() async throws {
        let upstream = TestUpstream()
        try await upstream.makeApplication().withLiveServer { baseURL in
            let configuration = try await gatewayConfiguration(upstream: baseURL, environment: ["RATE_LIMIT_ANON_PER_MINUTE": "4"])
            try await GatewayApp.buildApplication(configuration: configuration).test(.live) { client in
                // An unknown key is looked up once, then its "unknown" is kept for a while.
                #expect(try await client.send("/api/v1/products", headers: [keyHeader: "ek_guess_1"]).status == .unauthorized)
                #expect(try await client.send("/api/v1/products", headers: [keyHeader: "ek_guess_1"]).status == .unauthorized)
                #expect(upstream.hitCount("resolve") == 1)
                #expect(try await client.send("/api/v1/products", headers: bearer("forged.token.here")).status == .unauthorized)
                #expect(try await client.send("/api/v1/products").status == .ok)
                // Four of four spent, by refused credentials and an anonymous request alike.
                let token = try await client.send("/api/v1/products", headers: bearer("forged.token.again"))
                #expect(token.status == .tooManyRequests)
                #expect(errorCode(token) == "rate_limited")
                #expect((token.headers[.retryAfter].flatMap(Int.init) ?? 0) >= 1)
                #expect(token.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
                for guess in 2...5 {
                    let key = try await client.send("/api/v1/products", headers: [keyHeader: "ek_guess_\(guess)"])
                    #expect(key.status == .tooManyRequests)
                }
                // Not one of those guesses cost a call to the User service.
                #expect(upstream.hitCount("resolve") == 1)
            }
        }
    }

    @Test func aKeyKnownToWorkIsStillLookedUpWhenItsIPHasSpentItsLimit() async throws {
        try await withEdge(["RATE_LIMIT_ANON_PER_MINUTE": "3"]) { client, _ in
            let admin = try await login(client, admin: true)  // one anonymous request
            let created = try await client.send(
                "/api/v1/api-keys", .post, headers: bearer(admin),
                body: json(["name": "integration", "permissions": ["products:read"], "rate_limit": 100]))
            let key = try #require(try decode(APIKeyResponse.self, created).key)
            #expect(try await client.send("/api/v1/products", headers: [keyHeader: key]).status == .ok)
            _ = try await client.send("/api/v1/products")
            _ = try await client.send("/api/v1/products")
            #expect(try await client.send("/api/v1/products").status == .tooManyRequests)
            // Past the resolver's 4 s cache the key is asked about again, and it answers.
            try await Task.sleep(for: .milliseconds(4500))
            #expect(try await client.send("/api/v1/products", headers: [keyHeader: key]).status == .ok)
            #expect(try await client.send("/api/v1/products", headers: [keyHeader: "ek_guess"]).status == .tooManyRequests)
        }
    }
}
