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
