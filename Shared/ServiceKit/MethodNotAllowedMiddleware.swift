import Hummingbird

/// Answers a request for a known path with a method it does not serve with 405
/// `method_not_allowed` and an `Allow` header (RFC 9110 §15.5.6) instead of the router's 404.
/// Added after every route, so it sits only in front of the router's not-found responder:
/// matched routes never pass through it.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext

    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let allowed = routes.methods(for: request.uri.path) else { return try await next(request, context) }
        throw APIError(
            .methodNotAllowed, "\(request.method.rawValue) is not served at this path",
            details: ["allowed": .array(allowed.map { .string($0) })], headers: [("Allow", allowed.joined(separator: ", "))])
    }
}

/// The methods each route path of a router serves, `HEAD` included wherever `GET` is
/// (``HeadRequestResponder``). A path resolves as Hummingbird's trie resolves it: a literal
/// segment wins over a parameter, a parameter over a wildcard.
struct RouteMethods: Sendable {
    private struct Route: Sendable {
        let components: [RouterPath.Element]
        var methods: Set<String>
    }

    private let routes: [Route]

    init(_ descriptions: [Router<ServiceRequestContext>.RouteDescription]) {
        var byPath: [String: Route] = [:]
        for description in descriptions {
            byPath[description.path.description, default: Route(components: description.path.components, methods: [])]
                .methods.insert(description.method.rawValue)
        }
        routes = Array(byPath.values)
    }

    /// The methods served at `path`, sorted, or nil when no route has that path.
    func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "/")
        let best = routes.filter { Self.matches($0.components, segments[...]) }
            .max { Self.rank($0.components).lexicographicallyPrecedes(Self.rank($1.components)) }
        guard var methods = best?.methods else { return nil }
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }

    private static func matches(_ components: [RouterPath.Element], _ segments: ArraySlice<Substring>) -> Bool {
        guard let first = components.first else { return segments.isEmpty }
        if first.description == "**" { return true }
        guard let segment = segments.first, first ~= segment else { return false }
        return matches(Array(components.dropFirst()), segments.dropFirst())
    }

    /// Higher for a more specific path: per segment, 2 for a literal, 1 for a capture, 0 for a wildcard.
    private static func rank(_ components: [RouterPath.Element]) -> [Int] {
        components.map { element in
            if element == element.description { return 2 }
            return element.description.hasPrefix("*") ? 0 : 1
        }
    }
}
