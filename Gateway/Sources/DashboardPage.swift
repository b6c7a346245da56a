import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceKit

/// The operator's page at `/admin/`: static HTML, CSS and JavaScript from `Gateway/Dashboard`
/// (`DASHBOARD_DIR`), read once at start-up. The page holds no data: it signs in (an admin's
/// email and password, or an admin token in the address's `#token=` fragment) and reads the
/// admin endpoints with that token, which is where authorization happens. Served with a
/// content security policy allowing nothing but the gateway itself.
struct DashboardPage: Sendable {
    static let files = ["index.html": "text/html; charset=utf-8", "dashboard.css": "text/css; charset=utf-8",
                        "dashboard.js": "text/javascript; charset=utf-8"]
    private let contents: [String: ByteBuffer]

    init(directory: String, logger: Logger) {
        var contents: [String: ByteBuffer] = [:]
        for name in Self.files.keys {
            if let data = FileManager.default.contents(atPath: "\(directory)/\(name)") {
                contents[name] = ByteBuffer(bytes: data)
            } else {
                logger.warning("a dashboard file is missing; /admin/ answers 404 for it", metadata: ["path": "\(directory)/\(name)"])
            }
        }
        self.contents = contents
    }

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        // `/admin` and `/admin/` are one route to Hummingbird; the page names its files absolutely.
        routes.get { _, _ in try serve("index.html") }
        routes.get(":file") { _, context in try serve(context.parameters.get("file") ?? "") }
        return routes
    }

    private func serve(_ name: String) throws -> Response {
        guard let type = Self.files[name], let body = contents[name] else { throw APIError.notFound("page") }
        return Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "no-cache",
                .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
                .xContentTypeOptions: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: .init(byteBuffer: body))
    }
}
