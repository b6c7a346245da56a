import Contracts
import Foundation
import Postgres
import ProductService
import ServiceLifecycle
import TestSupport
import Testing

/// A product's event stream at the service itself: it ends cleanly when the service stops.
@Suite("Product event streams at the service")
struct ProductEventStreamTests {
    @Test func aStreamEndsCleanlyWhenTheServiceShutsDown() async throws {
        try await withProductServiceAndDatabase { client, tokens, database in
            let category = try await client.createCategory("Lamps", admin: tokens.admin)
            let lamp = try await client.product("Lamp", category: category.id, admin: tokens.admin, stock: 6)
            // A replica of its own on the same database, to stop while a stream is open.
            let port = try await ShellCommand.freePort()
            let replica = try ProductServiceApp.buildApplication(configuration: try await serviceTestConfiguration(
                ProductServiceApp.defaults, environment: ["PORT": "\(port)", "DATABASE_URL": database.configuration.url]))
            let group = ServiceGroup(configuration: .init(services: [replica], logger: TestEnvironment.logger("replica")))
            let running = Task { try await group.run() }
            try await waitForPort(port)
            let stream = try await EventStreamReader.open(port: port, "/api/v1/products/\(lamp.id)/events")
            #expect(try await stream.next().decode(ProductResponse.self).stock == 6)
            await group.triggerGracefulShutdown()
            let ended = await stream.ends(within: .seconds(5))
            #expect(ended, "the stream outlived the shutdown")
            if !ended { running.cancel() }
            try await running.value
        }
    }
}
