/// Carries the current request's id through a task tree, so every upstream call made while
/// handling a request sends the same `X-Request-ID` without each caller passing it on.
public enum RequestIDPropagation {
    /// The id of the request being handled, set by the service kit's request-id middleware.
    @TaskLocal public static var current: String?
}
