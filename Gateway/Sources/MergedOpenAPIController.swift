import Contracts
import Foundation
import HTTPClient
import Hummingbird
import Logging
import ServiceKit
import Synchronization

/// `GET /openapi.json` at the gateway: its own document with every service's public
/// operations (`/api/v1/…`, `/.well-known/…`) merged in; `/internal/…` and the services'
/// health routes stay out. Fetched from the services on demand and kept for a minute; a
/// service that does not answer is left out of that answer (and not cached).
final class MergedOpenAPIController: Sendable {
    let client: CurlHTTPClient
    let upstreamURLs: [String]
    let ownDocument: [String: JSONValue]
    let logger: Logger
    private let cache = Mutex<(document: ByteBuffer, until: ContinuousClock.Instant)?>(nil)

    init(client: CurlHTTPClient, upstreamURLs: [String], documentPath: String, logger: Logger) {
        self.client = client
        self.upstreamURLs = upstreamURLs
        self.logger = logger
        let data = FileManager.default.contents(atPath: documentPath) ?? Data("{}".utf8)
        if let document = (try? JSONDecoder().decode(JSONValue.self, from: data))?.objectValue {
            ownDocument = document
        } else {
            logger.warning("no OpenAPI document for the gateway", metadata: ["path": "\(documentPath)"])
            ownDocument = [:]
        }
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get { [self] _, _ in try await response() }
        return routes
    }

    private func response() async throws -> Response {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0 }), cached.until > now {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: cached.document))
        }
        var paths = ownDocument["paths"]?.objectValue ?? [:]
        var components = ownDocument["components"]?.objectValue ?? [:]
        var complete = true
        for base in upstreamURLs {
            guard let document = await fetch(base) else {
                complete = false
                continue
            }
            for (path, item) in document["paths"]?.objectValue ?? [:]
            where path.hasPrefix("/api/v1/") || path.hasPrefix("/.well-known/") {
                paths[path] = item
            }
            for (section, entries) in document["components"]?.objectValue ?? [:] {
                var merged = components[section]?.objectValue ?? [:]
                merged.merge(entries.objectValue ?? [:]) { first, _ in first }
                components[section] = .object(merged)
            }
        }
        var merged = ownDocument
        merged["paths"] = .object(paths)
        merged["components"] = .object(components)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = ByteBuffer(bytes: try encoder.encode(JSONValue.object(merged)))
        if complete { cache.withLock { $0 = (body, now + .seconds(60)) } }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    private func fetch(_ base: String) async -> [String: JSONValue]? {
        do {
            let response = try await client.execute(HTTPClientRequest(url: base + "/openapi.json", timeout: .seconds(2), retry: .never))
            guard response.isSuccess else { return nil }
            return try response.decode(JSONValue.self).objectValue
        } catch {
            logger.warning("OpenAPI document not fetched", metadata: ["upstream": "\(base)", "error": "\(error)"])
            return nil
        }
    }
}
