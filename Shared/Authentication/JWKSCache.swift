import Foundation
import HTTPClient
import JWTKit
import Logging

/// Public keys fetched over HTTP (libcurl) from a JWKS URL and kept for as long as the
/// response's `Cache-Control: max-age` says (or `defaultLifetime`). A token naming a key
/// the cache does not hold makes it fetch again (key rotation); such fetches happen at most
/// once per `refetchInterval`, so forged key ids cannot turn into a flood of fetches.
actor JWKSCache {
    private let url: String
    private let client: CurlHTTPClient
    private let logger: Logger
    private let defaultLifetime: Duration
    private let refetchInterval: Duration
    private var keys: JWTKeyCollection?
    private var kids: Set<String> = []
    private var expires = ContinuousClock.now
    /// When a token with an unknown key last caused a fetch.
    private var lastMissFetch: ContinuousClock.Instant?

    init(url: String, client: CurlHTTPClient, logger: Logger, defaultLifetime: Duration = .seconds(300),
         refetchInterval: Duration = .seconds(10)) {
        self.url = url
        self.client = client
        self.logger = logger
        self.defaultLifetime = defaultLifetime
        self.refetchInterval = refetchInterval
    }

    /// The key collection holding `kid` (or any current keys when the token names none).
    func keys(for kid: String?) async throws -> JWTKeyCollection {
        let now = ContinuousClock.now
        let stale = keys == nil || now >= expires
        let missing = kid.map { !kids.contains($0) } ?? false
        let mayRefetch = lastMissFetch.map { now - $0 >= refetchInterval } ?? true
        if stale {
            try await fetch()
        } else if missing, mayRefetch {
            lastMissFetch = now
            try await fetch()
        }
        guard let keys else { throw AuthenticationError.keysUnavailable }
        if let kid, !kids.contains(kid) { throw AuthenticationError.unknownKey }
        return keys
    }

    private func fetch() async throws {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(HTTPClientRequest(url: url, timeout: .seconds(3)))
        } catch {
            logger.warning("cannot fetch signing keys", metadata: ["url": "\(url)", "error": "\(error)"])
            if keys != nil { return }  // keep serving the keys we have
            throw AuthenticationError.keysUnavailable
        }
        guard response.isSuccess else {
            logger.warning("cannot fetch signing keys", metadata: ["url": "\(url)", "status": "\(response.status)"])
            if keys != nil { return }
            throw AuthenticationError.keysUnavailable
        }
        let json = String(decoding: response.body, as: UTF8.self)
        let jwks = try JSONDecoder().decode(JWKS.self, from: Data(response.body))
        let collection = JWTKeyCollection()
        try await collection.add(jwksJSON: json)
        keys = collection
        kids = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        expires = ContinuousClock.now + (Self.maxAge(response.header("Cache-Control")) ?? defaultLifetime)
    }

    /// `max-age=N` of a Cache-Control header.
    static func maxAge(_ header: String?) -> Duration? {
        guard let header else { return nil }
        for directive in header.split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "max-age", let seconds = Int(parts[1]) {
                return .seconds(seconds)
            }
        }
        return nil
    }
}
