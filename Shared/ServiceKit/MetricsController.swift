import Hummingbird
import Prometheus

/// `GET /metrics` in Prometheus' text format.
public struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry

    /// Serves the given registry (normally ``Observability/registry``).
    public init(registry: PrometheusCollectorRegistry = Observability.registry) {
        self.registry = registry
    }

    public var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get { _, _ in
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
