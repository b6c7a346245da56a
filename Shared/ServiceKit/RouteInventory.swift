import Synchronization

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
