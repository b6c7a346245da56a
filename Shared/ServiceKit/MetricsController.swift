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
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return routes
    }
}
