// The load generator and target server behind bench/*.sh. Not a test: it prints figures.
//
//   bench-tool serve --port P                      Hummingbird endpoint GET /ping (the HTTP target)
//   bench-tool http --url U --concurrency C --duration S [--method M --body B --header 'Name: value']
//                  [--random-max N]                 `{id}` in the URL becomes a random 1…N per request
//                                                  libcurl client load, closed loop, 2xx expected
//   bench-tool bcrypt --cost N --concurrency C --duration S   bcrypt hashes on NIO's thread pool
//   bench-tool pg --url U --clients C --duration S --rows N point selects through the pool
import Foundation
import HTTPClient
import Hummingbird
import HummingbirdBcrypt
import Logging
import NIOPosix
import Postgres
import Primitives

let arguments = CommandLine.arguments
func option(_ name: String, default value: String) -> String {
    guard let index = arguments.firstIndex(of: "--\(name)"), index + 1 < arguments.count else { return value }
    return arguments[index + 1]
}
func intOption(_ name: String, default value: Int) -> Int { Int(option(name, default: String(value))) ?? value }

/// Runs `workers` closed-loop workers until `duration` passes; returns the sorted latencies in microseconds.
func measure(workers: Int, duration: Duration, operation: @escaping @Sendable () async throws -> Void) async throws -> [Int] {
    let deadline = ContinuousClock.now + duration
    return try await withThrowingTaskGroup(of: [Int].self) { group in
        for _ in 0..<workers {
            group.addTask {
                var latencies: [Int] = []
                latencies.reserveCapacity(100_000)
                while ContinuousClock.now < deadline {
                    let start = ContinuousClock.now
                    try await operation()
                    let elapsed = ContinuousClock.now - start
                    latencies.append(elapsed.wholeMicroseconds)
                }
                return latencies
            }
        }
        var all: [Int] = []
        for try await latencies in group { all += latencies }
        return all.sorted()
    }
}

func report(_ latencies: [Int], seconds: Int) {
    func percentile(_ p: Double) -> Double {
        latencies.isEmpty ? 0 : Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1000
    }
    let rate = Double(latencies.count) / Double(seconds)
    print(String(format: "rate=%.1f p50_ms=%.3f p99_ms=%.3f count=%d", rate, percentile(0.5), percentile(0.99), latencies.count))
}

var logger = Logger(label: "bench")
logger.logLevel = .error

switch arguments.dropFirst().first {
case "serve":
    let router = Router()
    router.get("/ping") { _, _ in "pong" }
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: intOption("port", default: 8090))),
        logger: logger)
    try await app.runService()

case "http":
    let url = option("url", default: "http://127.0.0.1:8090/ping")
    let concurrency = intOption("concurrency", default: 16)
    let seconds = intOption("duration", default: 10)
    let client = CurlHTTPClient(
        configuration: .init(retry: .never, maxConnectionsPerHost: concurrency), logger: logger)
    var headers: [(name: String, value: String)] = []
    if let header = arguments.firstIndex(of: "--header").map({ arguments[$0 + 1] }), let colon = header.firstIndex(of: ":") {
        headers.append((String(header[..<colon]), header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    let body = arguments.firstIndex(of: "--body").map { Array(arguments[$0 + 1].utf8) }
    let request = HTTPClientRequest(method: option("method", default: "GET"), url: url, headers: headers, body: body)
    let randomMax = intOption("random-max", default: 0)
    let latencies = try await measure(workers: concurrency, duration: .seconds(seconds)) {
        var request = request
        if randomMax > 0 { request.url = url.replacingOccurrences(of: "{id}", with: String(Int.random(in: 1...randomMax))) }
        let response = try await client.execute(request)
        guard response.isSuccess else { throw UnexpectedStatus(response: response) }
    }
    report(latencies, seconds: seconds)

case "bcrypt":
    let cost = UInt8(intOption("cost", default: 10))
    let latencies = try await measure(workers: intOption("concurrency", default: 2), duration: .seconds(intOption("duration", default: 10))) {
        _ = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash("correct horse battery", cost: cost) }
    }
    report(latencies, seconds: intOption("duration", default: 10))

case "pg":
    guard let configuration = try? PostgresConfiguration(url: option("url", default: "")) else {
        print("--url postgres://… is required")
        exit(2)
    }
    var pooled = configuration
    let clients = intOption("clients", default: 8)
    pooled.maxConnections = clients
    pooled.minIdleConnections = clients
    let rows = intOption("rows", default: 100_000)
    let seconds = intOption("duration", default: 10)
    let pool = PostgresPool(configuration: pooled, logger: logger)
    // The same statement pgbench -S runs.
    let latencies = try await measure(workers: clients, duration: .seconds(seconds)) {
        let id = Int.random(in: 1...rows)
        let result = try await pool.query("SELECT abalance FROM pgbench_accounts WHERE aid = \(id)")
        guard result.count == 1 else { throw PostgresError(kind: .server, message: "no row for aid \(id)") }
    }
    report(latencies, seconds: seconds)
    await pool.close()

default:
    print("usage: bench-tool serve|http|pg [options]")
    exit(2)
}
