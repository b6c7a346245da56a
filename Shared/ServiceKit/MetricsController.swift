import Hummingbird
import Prometheus

/// `GET /metrics` in Prometheus' text format.
public struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Run before each scrape to set gauges that are cheaper to read than to keep current
    /// (a pool's connection counts).
    let collectors: [@Sendable () -> Void]

    /// Serves the given registry (normally ``Observability/registry``).
    public init(registry: PrometheusCollectorRegistry = Observability.registry, collectors: [@Sendable () -> Void] = []) {
        self.registry = registry
        self.collectors = collectors
    }

    public var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get { _, _ in
            for collect in collectors { collect() }
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            buffer = Self.withHelp(buffer, help: Observability.help)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return routes
    }

    /// Puts `# HELP name text` before each `# TYPE name …` line whose metric has a text.
    static func withHelp(_ exposition: [UInt8], help: [String: String]) -> [UInt8] {
        guard !help.isEmpty else { return exposition }
        var result: [UInt8] = []
        result.reserveCapacity(exposition.count + help.count * 80)
        for line in exposition.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.starts(with: "# TYPE ".utf8) {
                let name = line.dropFirst(7).prefix { $0 != UInt8(ascii: " ") }
                if let text = help[String(decoding: name, as: UTF8.self)] {
                    result += "# HELP ".utf8
                    result += name
                    result += " \(text)\n".utf8
                }
            }
            result += line
            result.append(UInt8(ascii: "\n"))
        }
        result.removeLast()
        return result
    }
}
