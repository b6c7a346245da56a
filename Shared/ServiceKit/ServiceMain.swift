import Foundation
import Hummingbird
import Logging
import Postgres
import Primitives

/// The whole of each executable's `main`: read the configuration (a clear message and exit
/// code 78 when it is unusable), set up logs and metrics, build the application, run it
/// until SIGTERM or SIGINT.
public enum ServiceMain {
    public static func run<App: ApplicationProtocol>(
        defaults: ServiceConfiguration.Defaults,
        build: (ServiceConfiguration) async throws -> App
    ) async -> Never {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(defaults: defaults)
        } catch {
            FileHandle.standardError.write(Data("\(defaults.name): configuration error: \(error)\n".utf8))
            exit(78)  // EX_CONFIG
        }
        Observability.bootstrap(service: configuration.name, logLevel: configuration.logLevel)
        let logger = makeLogger(configuration)
        do {
            try await build(configuration).runService()
            logger.info("stopped")
            exit(0)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("\(defaults.name): configuration error: \(error)\n".utf8))
            exit(78)
        } catch {
            logger.critical("service failed", metadata: ["error": "\(String(reflecting: error))"])
            exit(1)
        }
    }
}
