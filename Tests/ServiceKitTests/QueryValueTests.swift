import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import TestSupport
import Testing

/// Echoes each typed query value it reads, or `-` when absent.
private func makeApplication() -> some ApplicationProtocol {
    let router = Router(context: ServiceRequestContext.self)
    router.addServiceDefaults(readiness: [], readinessTimeout: .seconds(2))
    router.get("/values") { request, _ -> String in
        let date = try request.queryDate("at").map { String(Int($0.timeIntervalSince1970)) }
        return [
            try request.query("q") ?? "-", try request.queryBool("flag").map(String.init) ?? "-",
            try request.queryInt("n", in: 1...10).map(String.init) ?? "-", date ?? "-",
        ].joined(separator: "|")
    }
    router.get("/page") { request, _ -> String in
        let page = try request.pageRequest()
        return "\(page.limit) \(page.offset)"
    }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                       logger: TestEnvironment.logger("query-values"))
}

@Suite("Query values: form decoding, typed values, bounds")
struct QueryValueTests {
    @Test(arguments: [
        ("?q=red+shoes", "red shoes|-|-|-"), ("?q=a%2Bb", "a+b|-|-|-"), ("?q=caf%C3%A9&q=ignored", "café|-|-|-"),
        ("?q=", "-|-|-|-"), ("?flag=true&n=10", "-|true|10|-"), ("?flag=false&n=1", "-|false|1|-"),
        // A `+` sent unencoded in an offset reads as a space; the date is read again with it.
        ("?at=1970-01-01T01:00:00+01:00", "-|-|-|0"), ("?at=1970-01-01T01:00:00%2B01:00", "-|-|-|0"),
        // Times outside 1970 to 9999 are read as those bounds, as every filter stores them.
        ("?at=0001-01-01T00:00:00Z", "-|-|-|0"), ("?at=9999-12-31T23:59:60Z", "-|-|-|253402300799"),
    ])
    func valuesAreDecoded(query: String, echoed: String) async throws {
        try await makeApplication().test(.live) { client in
            let response = try await client.send("/values\(query)", .get)
            #expect(response.status == .ok, "\(query)")
            #expect(String(buffer: response.body) == echoed, "\(query)")
        }
    }

    @Test(arguments: [
        "?flag=", "?flag=yes", "?flag=1", "?flag=TRUE", "?n=", "?n=0", "?n=11", "?n=1.5", "?n=99999999999999999999",
        "?at=", "?at=yesterday", "?at=2026-12-05", "?q=a%00b",
    ])
    func malformedValuesAreBadRequests(query: String) async throws {
        try await makeApplication().test(.live) { client in
            let response = try await client.send("/values\(query)", .get)
            #expect(response.status == .badRequest, "\(query)")
            #expect(String(buffer: response.body).contains(#""code":"bad_request""#), "\(query)")
        }
    }
}

@Suite("Query values: the contract's list paging")
struct PageQueryTests {
    @Test(arguments: [("", "20 0"), ("?limit=100&offset=2147483647", "100 2147483647"), ("?limit=1", "1 0")])
    func pagesWithinBoundsAreRead(query: String, echoed: String) async throws {
        try await makeApplication().test(.live) { client in
            let response = try await client.send("/page\(query)", .get)
            #expect(response.status == .ok, "\(query)")
            #expect(String(buffer: response.body) == echoed, "\(query)")
        }
    }

    // The contract's `?limit=` is 1 to 100 (default 20); `?offset=` is at most 2^31 - 1, as ids
    // and counts are 32-bit in the databases.
    @Test(arguments: ["?limit=0", "?limit=101", "?offset=-1", "?offset=2147483648", "?limit=", "?offset=x"])
    func pagesOutOfBoundsAreBadRequests(query: String) async throws {
        try await makeApplication().test(.live) { client in
            let response = try await client.send("/page\(query)", .get)
            #expect(response.status == .badRequest, "\(query)")
        }
    }
}
