import Primitives
import Testing

@testable import Postgres

/// `DATABASE_URL` parsing, its libpq parameters, and the URL a configuration prints back.
@Suite("Postgres configuration from URLs")
struct PostgresConfigurationTests {
    /// What libpq is handed, by keyword.
    private func libpq(_ configuration: PostgresConfiguration) -> [String: String] {
        Dictionary(uniqueKeysWithValues: configuration.connectionParameters)
    }

    @Test func urlsParseWithCredentialsDecodedOnce() throws {
        let parsed = try PostgresConfiguration(url: "postgresql://order_app:p%40ss%2540@db.internal:6432/order_db")
        #expect(parsed.host == "db.internal" && parsed.port == 6432)
        #expect(parsed.user == "order_app" && parsed.database == "order_db")
        #expect(parsed.password == "p@ss%40", "decoded once: %40 is @, and %2540 a literal %40")

        let bare = try PostgresConfiguration(url: "postgres://db/products")
        #expect(bare.user == "postgres" && bare.password == "" && bare.port == 5432 && bare.parameters.isEmpty)
    }

    @Test(arguments: [
        ("mysql://db/x", "is not a postgres:// URL"), ("not a url", "is not a postgres:// URL"),
        ("postgres://db", "names no database"), ("postgres://db/", "names no database"), ("postgres:///x", "names no host"),
        ("postgres://db/x?sslmode=verify_full", "sslmode=verify_full"), ("postgres://db/x?ssl_mode=require", "ssl_mode="),
        ("postgres://db/x?sslrootcert=", "gives sslrootcert no value"), ("postgres://db/x?port=70000", "port"),
        ("postgres://db/x?connect_timeout=soon", "connect_timeout"), ("postgres://db/x?sslmode=require&sslmode=disable", "twice"),
    ])
    func unusableURLsAreRefusedSayingWhy(url: String, reason: String) {
        let error = #expect(throws: PostgresURLError.self) { try PostgresConfiguration(url: url) }
        #expect(error?.reason.contains(reason) == true, "\(url): \(error?.reason ?? "accepted")")
    }

    @Test func everyQueryParameterReachesLibpq() throws {
        let parsed = try PostgresConfiguration(url:
            "postgres://app:pw@db.example.com:5433/orders?sslmode=verify-full&sslrootcert=/etc/ca%20files/root.crt"
            + "&sslcert=/c.crt&sslkey=/c.key&application_name=orders-7&connect_timeout=9"
            + "&target_session_attrs=read-write&options=-c%20statement_timeout%3D5s")
        let sent = libpq(parsed)
        #expect(sent["sslmode"] == "verify-full" && sent["sslrootcert"] == "/etc/ca files/root.crt")
        #expect(sent["sslcert"] == "/c.crt" && sent["sslkey"] == "/c.key")
        #expect(sent["application_name"] == "orders-7" && sent["connect_timeout"] == "9")
        #expect(sent["target_session_attrs"] == "read-write")
        #expect(sent["host"] == "db.example.com" && sent["port"] == "5433" && sent["dbname"] == "orders")
        // The URL's options come first, ours last, so UTC and ISO dates hold whatever it says.
        #expect(sent["options"] == "-c statement_timeout=5s -c TimeZone=UTC -c DateStyle=ISO,YMD")
    }

    @Test func aUnixSocketIsNamedInTheQuery() throws {
        let parsed = try PostgresConfiguration(url: "postgres://app:pw@/orders?host=/cloudsql/shop:europe-west1:db")
        #expect(parsed.host == "/cloudsql/shop:europe-west1:db" && parsed.database == "orders" && parsed.parameters.isEmpty)
        let byQuery = try PostgresConfiguration(url: "postgres://?host=/run/pg&port=6000&user=u&password=p%26q&dbname=d")
        #expect(byQuery.host == "/run/pg" && byQuery.port == 6000 && byQuery.user == "u" && byQuery.password == "p&q" && byQuery.database == "d")
        #expect(try PostgresConfiguration(url: byQuery.url) == byQuery)
    }

    @Test func theUrlItPrintsParsesBackToTheSameConfiguration() throws {
        let configuration = PostgresConfiguration(
            host: "db", port: 5433, user: "app", password: "a@b:c/%d", database: "orders",
            parameters: ["sslmode": "verify-ca", "sslrootcert": "/a b/c+d&e.crt", "options": "-c x=1"])
        #expect(try PostgresConfiguration(url: configuration.url) == configuration)
    }

    @Test func theSplitFormTakesTLSFromItsOwnVariables() throws {
        let defaults = PostgresConfiguration(user: "u", password: "p", database: "d")
        let split = try PostgresConfiguration(
            environment: ["DB_HOST": "db.internal", "DB_SSLMODE": "verify-full", "DB_SSLROOTCERT": "/ca.crt"], defaults: defaults)
        #expect(split.host == "db.internal" && split.parameters == ["sslmode": "verify-full", "sslrootcert": "/ca.crt"])
        // With a URL, they fill in only what it does not say.
        let url = try PostgresConfiguration(
            environment: ["DATABASE_URL": "postgres://db/x?sslmode=require", "DB_SSLMODE": "disable", "DB_SSLROOTCERT": "/ca.crt"],
            defaults: defaults)
        #expect(url.parameters == ["sslmode": "require", "sslrootcert": "/ca.crt"])
        let error = #expect(throws: ConfigurationError.self) {
            try PostgresConfiguration(environment: ["DB_SSLMODE": "on"], defaults: defaults)
        }
        #expect(error?.variable == "DB_SSLMODE")
        let bad = #expect(throws: ConfigurationError.self) {
            try PostgresConfiguration(environment: ["DATABASE_URL": "postgres://db/x?sslmod=require"], defaults: defaults)
        }
        #expect(bad?.variable == "DATABASE_URL" && bad?.reason.contains("sslmod=") == true)
    }

    @Test func tlsFailuresAreToldApartFromRefusedLogins() {
        #expect(PostgresError.isAboutTLS("connection to server at \"127.0.0.1\", port 5 failed: SSL error: certificate verify failed"))
        #expect(PostgresError.isAboutTLS("server certificate for \"localhost\" does not match host name \"127.0.0.1\""))
        #expect(PostgresError.isAboutTLS("server does not support SSL, but SSL was required"))
        #expect(!PostgresError.isAboutTLS("FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"x\", database \"y\", SSL encryption"))
        #expect(!PostgresError.isAboutTLS("connection to server at \"127.0.0.1\", port 5 failed: Connection refused"))
        #expect(!PostgresError.isAboutTLS("connection to server at \"db\", port 5 failed: SSL SYSCALL error: EOF detected"))
        #expect(!PostgresError.isAboutTLS("SSL connection has been closed unexpectedly"))
    }
}
