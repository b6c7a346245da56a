import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import OrderService
import ProductService
import ServiceKit
import TestSupport
import Testing
import UserService

/// Each executable as a real process, started on a port another server already holds. It
/// must say why and exit with an error, so a supervisor restarts it or an operator sees it.
/// Its background workers (saga recovery, retention, API-key usage) used to ignore the
/// cancellation that follows the failed bind: the process then never ended and wrote the
/// same warning to its log in a tight loop.
@Suite("Every service: a port already taken")
struct PortTakenTests {
    @Test(arguments: ["user-service", "product-service", "order-service", "gateway"])
    func theServiceExitsAndSaysWhy(executable: String) async throws {
        let defaults = [
            "user-service": UserServiceApp.defaults, "product-service": ProductServiceApp.defaults,
            "order-service": OrderServiceApp.defaults, "gateway": GatewayApp.defaults,
        ][executable]!
        let holder = Application(router: Router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await holder.test(.live) { client in
            let nowhere = "http://127.0.0.1:9"
            let configuration = try await serviceTestConfiguration(
                defaults,
                environment: [
                    "PORT": "\(client.port!)", "LOG_LEVEL": "info", "USER_SERVICE_URL": nowhere, "PRODUCT_SERVICE_URL": nowhere,
                    "ORDER_SERVICE_URL": nowhere, "JWKS_URL": "\(nowhere)/.well-known/jwks.json",
                ])
            let process = try ChildProcess(executable: executable, environment: configuration.environment)
            let code = await process.exitCode(within: .seconds(60))
            #expect(code == 1, "\(executable) did not exit by itself within 60 s (exit code \(code.map(String.init) ?? "none"))")
            let log = process.log
            #expect(log.contains("database schema is current"), "it stopped before its workers started:\n\(log.prefix(2000))")
            #expect(log.contains("service failed"), "\(log.prefix(2000))")
            #expect(log.utf8.count < 200_000, "its log grew to \(log.utf8.count) bytes")
        }
    }
}
