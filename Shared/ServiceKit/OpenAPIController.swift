import Foundation
import Hummingbird
import Logging
import Synchronization

/// `GET /openapi.json`: the service's OpenAPI 3.1 document, read once from `OPENAPI_FILE`
/// (default `docs/openapi/<service>.json`, relative to the working directory like the migrations).
/// A service that serves its own `/openapi.json` route (the gateway's merged one) keeps it.
public struct OpenAPIController: Sendable {
    let document: ByteBuffer?

    /// Where the service's document is.
    public static func path(_ configuration: ServiceConfiguration) -> String {
        configuration.environment["OPENAPI_FILE"] ?? "docs/openapi/\(configuration.name).json"
    }

    init(configuration: ServiceConfiguration, logger: Logger) {
        let path = Self.path(configuration)
        if let data = FileManager.default.contents(atPath: path) {
            document = ByteBuffer(bytes: data)
        } else {
            logger.warning("no OpenAPI document; /openapi.json answers 404", metadata: ["path": "\(path)"])
            document = nil
        }
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get { _, _ -> Response in
            guard let document else { throw APIError.notFound("OpenAPI document") }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }
        return routes
    }
}

/// The routes each service application built in this process registered, as `METHOD /path`
/// (parameters as `{name}`): what the documentation check compares with `/openapi.json`.
public enum RouteInventory {
    private static let routes = Mutex<[String: Set<String>]>([:])

    /// The routes of the service named `service` (as in its configuration).
    public static func routes(of service: String) -> Set<String> {
        routes.withLock { $0[service] ?? [] }
    }

    static func record(_ service: String, _ list: [String]) {
        routes.withLock { $0[service] = Set(list) }
    }

    /// `:id` → `{id}`, the OpenAPI spelling of a path parameter.
    static func openAPIPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }
}
