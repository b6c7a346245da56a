import Contracts
import Foundation
import Postgres
import Primitives
import ServiceKit
import Testing

@Suite("Configuration and error mapping")
struct ConfigurationTests {
    let defaults = ServiceConfiguration.Defaults(
        name: "test-service", port: 9000,
        database: PostgresConfiguration(port: 5433, user: "product_user", password: "product_pass", database: "product_database"),
        migrationsFolder: "product")

    @Test func defaultsApplyWhenNothingIsSet() throws {
        let configuration = try ServiceConfiguration(defaults: defaults, environment: [:])
        #expect(configuration.port == 9000)
        #expect(configuration.database.port == 5433)
        #expect(configuration.database.maxConnections == 20)
        #expect(configuration.url(of: .product) == "http://127.0.0.1:8082")
        #expect(configuration.migrationsDirectory.path.hasSuffix("database/migrations/product"))
    }

    @Test func theMigrationRoleComesFromItsOwnURLOnTheSameDatabase() throws {
        let runtime = "postgres://shop_app:a@db.internal:5432/shop?sslmode=verify-full"
        #expect(try ServiceConfiguration(defaults: defaults, environment: ["DATABASE_URL": runtime]).migrationDatabase == nil)
        let owner = try #require(try ServiceConfiguration(
            defaults: defaults, environment: ["DATABASE_URL": runtime, "MIGRATION_DATABASE_URL": "postgres://shop_owner:o@db.internal/shop?sslmode=require"]
        ).migrationDatabase)
        #expect(owner.user == "shop_owner" && owner.password == "o" && owner.database == "shop")
        #expect(owner.parameters["sslmode"] == "require")
        #expect(owner.maxConnections == 2 && owner.minIdleConnections == 0)
        // The same role at the same place is no second role: nothing to grant.
        #expect(try ServiceConfiguration(
            defaults: defaults, environment: ["DATABASE_URL": runtime, "MIGRATION_DATABASE_URL": runtime]).migrationDatabase == nil)
        for (url, reason) in [("postgres://shop_owner@db.internal/other", "both must be the service's own"),
                              ("mysql://shop_owner@db.internal/shop", "is not a postgres:// URL")] {
            let error = #expect(throws: ConfigurationError.self) {
                try ServiceConfiguration(defaults: defaults, environment: ["DATABASE_URL": runtime, "MIGRATION_DATABASE_URL": url])
            }
            #expect(error?.variable == "MIGRATION_DATABASE_URL")
            #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
        }
    }

    @Test func databaseURLWinsOverParts() throws {
        let configuration = try ServiceConfiguration(
            defaults: defaults,
            environment: ["DATABASE_URL": "postgres://u%40x:p%2Fw@db.internal:6543/shop", "DB_HOST": "ignored", "DB_MAX_CONNECTIONS": "7",
                          "DB_ACQUIRE_TIMEOUT_MS": "1500", "DB_CONNECT_TIMEOUT_SECONDS": "12"])
        #expect(configuration.database.host == "db.internal")
        #expect(configuration.database.port == 6543)
        #expect(configuration.database.user == "u@x")
        #expect(configuration.database.password == "p/w")
        #expect(configuration.database.database == "shop")
        #expect(configuration.database.maxConnections == 7)
        #expect(configuration.database.acquireTimeout == .milliseconds(1500))
        #expect(configuration.database.connectTimeoutSeconds == 12)
    }

    @Test func partsOverrideDefaults() throws {
        let configuration = try ServiceConfiguration(
            defaults: defaults,
            environment: ["DB_HOST": "postgres-product", "DB_PORT": "5432", "DB_USER": "a", "DB_PASSWORD": "b", "DB_NAME": "c", "PORT": "1234"])
        #expect(configuration.database == PostgresConfiguration(
            host: "postgres-product", port: 5432, user: "a", password: "b", database: "c", applicationName: "test-service"))
        #expect(configuration.port == 1234)
    }

    @Test func unusableValuesAreRefusedByName() {
        for (name, value) in [("DB_MAX_CONNECTIONS", "zero"), ("DB_ACQUIRE_TIMEOUT_MS", "0"), ("DB_CONNECT_TIMEOUT_SECONDS", "1"), ("DB_PORT", "99999"), ("PORT", "x"), ("LOG_LEVEL", "loud"), ("DATABASE_URL", "mysql://x/y")] {
            let error = #expect(throws: ConfigurationError.self) {
                try ServiceConfiguration(defaults: defaults, environment: [name: value])
            }
            #expect(error?.variable == name)
        }
    }

    @Test func integerVariablesAreWholeNumbersInTheirRange() throws {
        let environment = ["SET": "7", "WORD": "seven", "ZERO": "0", "FRACTION": "7.5", "BIG": "17"]
        #expect(try environment.integerVariable("UNSET") == nil)
        #expect(try environment.integerVariable("SET") == 7)
        #expect(try environment.integerVariable("ZERO", in: 0...10) == 0)
        for name in ["WORD", "ZERO", "FRACTION"] {
            let error = #expect(throws: ConfigurationError.self) { try environment.integerVariable(name) }
            #expect(error?.variable == name)
            #expect(error?.reason == "must be a positive integer")
        }
        let error = #expect(throws: ConfigurationError.self) { try environment.integerVariable("BIG", in: 10...16, reason: "must be 10 to 16") }
        #expect(error?.description == "BIG must be 10 to 16")
    }

    @Test func postgresErrorsMapToHTTPInOnePlace() {
        func code(_ state: SQLState) -> ErrorCode? {
            APIError(PostgresError(kind: .server, sqlState: state, message: ""))?.code
        }
        #expect(code(.uniqueViolation) == .conflict)
        #expect(code(.foreignKeyViolation) == .validationFailed)
        #expect(code(.checkViolation) == .validationFailed)
        #expect(code(.serializationFailure) == .upstreamUnavailable)
        #expect(code(.syntaxError) == nil)
        #expect(APIError(PostgresError(kind: .acquireTimeout, message: ""))?.code == .upstreamUnavailable)
        #expect(APIError(PostgresError(kind: .tlsFailed, message: ""))?.code == .upstreamUnavailable)
        #expect(ErrorCode.conflict.httpStatus == 409)
        #expect(ErrorCode.forStatus(404) == .notFound)
    }

    @Test func pageRequestsStayInBounds() {
        #expect(PageRequest(limit: nil, offset: nil) == PageRequest(limit: 20, offset: 0))
        #expect(PageRequest(limit: 101, offset: 0) == nil)
        #expect(PageRequest(limit: 10, offset: -1) == nil)
    }
}
