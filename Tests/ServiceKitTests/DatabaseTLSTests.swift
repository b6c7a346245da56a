import Foundation
import Postgres
import ServiceKit
import TestSupport
import Testing

/// `DATABASE_URL`'s TLS parameters against a real server with a certificate from a CA the
/// test makes: verified connections work and are encrypted; a wrong CA, a wrong host name, or
/// a server without TLS stop a service at start-up with a message that names TLS.
@Suite("Database TLS: sslmode and sslrootcert reach libpq")
struct DatabaseTLSTests {
    /// A server of the test's own (with TLS, its certificate for `localhost` only, and the
    /// path of its CA's certificate), removed afterwards whatever happens.
    private func withServer(tls: Bool = true, _ body: (_ server: TestPostgresServer, _ ca: String) async throws -> Void) async throws {
        let server = try await TestPostgresServer.start(tlsNames: tls ? "DNS:localhost" : nil)
        do {
            try await body(server, "\(server.tlsDirectory ?? "")/ca.crt")
            try await server.remove()
        } catch {
            try? await server.remove()
            throw error
        }
    }

    private func configuration(_ url: String, application: String = "tls-test") throws -> PostgresConfiguration {
        var configuration = try PostgresConfiguration(environment: ["DATABASE_URL": url], defaults: .init(user: "", password: "", database: ""))
        configuration.applicationName = application
        configuration.minIdleConnections = 2
        return configuration
    }

    /// The start-up step of every service, on `configuration`: migrations from an empty folder.
    private func startUp(_ configuration: PostgresConfiguration) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pool = PostgresPool(configuration: configuration, logger: TestEnvironment.logger("tls"))
        do {
            try await applyMigrations(from: folder, on: pool, logger: TestEnvironment.logger("tls"))
            await pool.close()
        } catch {
            await pool.close()
            throw error
        }
    }

    @Test func verifyFullConnectsAndEveryPooledConnectionIsEncrypted() async throws {
        try await withServer { server, ca in
            let application = "tls-\(UInt32.random(in: 0...UInt32.max))"
            let pool = PostgresPool(
                configuration: try configuration(
                    "postgres://postgres@localhost:\(server.port)/postgres?sslmode=verify-full&sslrootcert=\(ca)", application: application),
                logger: TestEnvironment.logger("tls"))
            let own = try await pool.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            #expect(try own.first?.decode("ssl", as: Bool.self) == true)
            #expect(try own.first?.decode("version", as: String.self).hasPrefix("TLS") == true)
            // Seen from the server: every connection of the pool is encrypted.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await pool.query("SELECT pg_sleep(0.2)") } }
                try await group.waitForAll()
            }
            var plainConfiguration = server.configuration
            plainConfiguration.parameters["sslmode"] = "disable"
            let observer = PostgresPool(configuration: plainConfiguration, logger: TestEnvironment.logger("tls"))
            let rows = try await observer.query(
                "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = \(application)")
            let encrypted = try (0..<rows.count).map { try rows[$0].decode("ssl", as: Bool.self) }
            #expect(encrypted.count >= 2 && encrypted.allSatisfy { $0 }, "\(encrypted)")
            let plain = try await observer.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            #expect(try plain.first?.decode("ssl", as: Bool.self) == false, "sslmode=disable is honoured too")
            await observer.close()
            await pool.close()
        }
    }

    @Test func aWrongCAOrHostNameStopsStartUpNamingTLS() async throws {
        try await withServer { server, ca in
            let other = "\(server.directory)/other-ca"
            _ = try await ShellCommand.bash("source scripts/lib.sh && make_tls_files \(other) DNS:localhost")
            let cases = [
                ("another CA", "postgres://postgres@localhost:\(server.port)/postgres?sslmode=verify-full&sslrootcert=\(other)/ca.crt"),
                ("a name the certificate is not for", "postgres://postgres@127.0.0.1:\(server.port)/postgres?sslmode=verify-full&sslrootcert=\(ca)"),
                ("a missing CA file", "postgres://postgres@localhost:\(server.port)/postgres?sslmode=verify-ca&sslrootcert=\(server.directory)/none.crt"),
            ]
            for (what, url) in cases {
                let error = await #expect(throws: PostgresError.self, "\(what)") { try await startUp(try configuration(url)) }
                #expect(error?.kind == .tlsFailed, "\(what): \(String(reflecting: error))")
                #expect(error?.description.contains("TLS to the database failed") == true, "\(what): \(error?.description ?? "")")
            }
            // The same server with the right CA and name: start-up succeeds.
            try await startUp(try configuration("postgres://postgres@localhost:\(server.port)/postgres?sslmode=verify-full&sslrootcert=\(ca)"))
        }
    }

    @Test func requiringTLSFromAServerWithoutItStopsStartUp() async throws {
        try await withServer(tls: false) { server, _ in
            let url = "postgres://postgres@127.0.0.1:\(server.port)/postgres?sslmode=require"
            let error = await #expect(throws: PostgresError.self) { try await startUp(try configuration(url)) }
            #expect(error?.kind == .tlsFailed && error?.message.contains("SSL") == true, "\(String(reflecting: error))")
            // sslmode=disable on the same server connects, unencrypted.
            try await startUp(try configuration("postgres://postgres@127.0.0.1:\(server.port)/postgres?sslmode=disable"))
        }
    }
}
