/// A service of the stack that others call over HTTP, and where it listens in the local
/// set-up (`make up`). Its address is configured by `<NAME>_SERVICE_URL`.
public struct PeerService: Hashable, Sendable {
    /// `user`, `product`, `order`: the name in messages, logs and variables.
    public let name: String
    /// The address of the local set-up.
    public let defaultURL: String

    public init(name: String, defaultURL: String) {
        self.name = name
        self.defaultURL = defaultURL
    }

    /// The variable naming its base URL, e.g. `USER_SERVICE_URL`.
    public var urlVariable: String { "\(name.uppercased())_SERVICE_URL" }

    public static let user = PeerService(name: "user", defaultURL: "http://127.0.0.1:8081")
    public static let product = PeerService(name: "product", defaultURL: "http://127.0.0.1:8082")
    public static let order = PeerService(name: "order", defaultURL: "http://127.0.0.1:8083")
}
