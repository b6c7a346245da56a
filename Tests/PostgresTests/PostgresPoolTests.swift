import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Postgres

@Suite("Connection pool against PostgreSQL")
struct PostgresPoolTests {
    @Test func twoHundredTasksShareTwentyConnections() async throws {
        var configuration = try await TestDatabase.create("pool200", maxConnections: 20)
        configuration.acquireTimeout = .seconds(60)  // sharing is the point here, not waiting; the machine may be busy
        let pool = PostgresPool(configuration: configuration, logger: TestEnvironment.logger("pool200"))
        let backends = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await pool.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.005)").first!.decode("pid")
                }
            }
            var backends: [Int] = []
            for try await pid in group { backends.append(pid) }
            return backends
        }
        #expect(backends.count == 200)
        #expect(Set(backends).count <= 20)
        #expect(pool.statistics.open <= 20)
        await pool.close()
    }

    @Test func acquireTimesOutWhenEveryConnectionIsLent() async throws {
        var configuration = try await TestDatabase.create("acquire", maxConnections: 1)
        configuration.acquireTimeout = .milliseconds(300)
        let pool = PostgresPool(configuration: configuration, logger: TestEnvironment.logger("acquire"))
        // Open the one connection first (under a loaded test run that can outlast the short
        // timeout; the connection still arrives and is kept), so the holder takes it at once.
        for _ in 0..<50 {
            do {
                try await pool.query("SELECT 1")
                break
            } catch let error as PostgresError where error.kind == .acquireTimeout {
                continue
            }
        }
        let holder = Task { try await pool.query("SELECT pg_sleep(5)") }
        try await Task.sleep(for: .milliseconds(200))
        let start = SuspendingClock.now
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .acquireTimeout)
        // Failed by its own timeout, well before the connection came free (5 s), even on a busy machine.
        #expect(SuspendingClock.now - start < .seconds(4))
        _ = try await holder.value
        try await pool.query("SELECT 1")
        await pool.close()
    }

    @Test func aConnectionThatCannotBeOpenedSaysWhy() async throws {
        let port = try await ShellCommand.freePort()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(port: port, user: "nobody", password: "secret", database: "none", minIdleConnections: 0),
            logger: TestEnvironment.logger("refused"))
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .connectionFailed)
        // libpq's reason is in the description (logs show it); the password never is.
        #expect(error?.description.contains("Connection refused") == true)
        #expect(error?.description.contains("secret") == false)
        await pool.close()
    }

    @Test func queriesWorkAgainAfterTheServerRestarts() async throws {
        let server = try await TestPostgresServer.start()
        let pool = PostgresPool(configuration: server.configuration, logger: TestEnvironment.logger("restart"))
        let before: Int = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid")

        try await server.stop()
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        try await server.startAgain()

        let after: Int = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid")
        #expect(after != before)
        await pool.close()
        try await server.remove()
    }

    @Test func idleConnectionsKilledByTheServerAreReplaced() async throws {
        let pool = try await TestDatabase.pool("killed", maxConnections: 2)
        let pid: Int = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid")
        let admin = PostgresPool(configuration: pool.configuration, logger: TestEnvironment.logger("killer"))
        try await admin.query("SELECT pg_terminate_backend(\(Int32(pid)))")
        // Wait until the backend is gone (on a busy machine it can take a while to exit).
        for _ in 0..<200 {
            let left: Int = try await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = \(Int32(pid))").first!.decode("n")
            if left == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        await admin.close()
        let next: Int = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid")
        #expect(next != pid)
        await pool.close()
    }

    @Test func serializationFailureIsRetried() async throws {
        let pool = try await TestDatabase.pool("serial", maxConnections: 4)
        try await pool.query("CREATE TABLE doctors (id INT PRIMARY KEY, on_call BOOLEAN NOT NULL)")
        try await pool.query("INSERT INTO doctors VALUES (1, true), (2, true)")
        // Classic write skew: each transaction reads both rows, then takes a different one
        // off call. Serializable isolation lets only one commit; the other must be retried.
        let barrier = Barrier(parties: 2)
        let attempts = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for doctor in [1, 2] {
                group.addTask {
                    try await pool.withTransaction(isolation: .serializable) { connection in
                        attempts.increment()
                        let onCall: Int = try await connection.query(
                            "SELECT count(*)::int AS n FROM doctors WHERE on_call"
                        ).first!.decode("n")
                        await barrier.arrive()
                        if onCall >= 2 {
                            try await connection.query("UPDATE doctors SET on_call = false WHERE id = \(doctor)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(attempts.value >= 3)
        let onCall: Int = try await pool.query("SELECT count(*)::int AS n FROM doctors WHERE on_call").first!.decode("n")
        #expect(onCall == 1)
        await pool.close()
    }

    @Test func failedTransactionRollsBack() async throws {
        let pool = try await TestDatabase.pool("rollback", maxConnections: 2)
        try await pool.query("CREATE TABLE notes (body TEXT)")
        await #expect(throws: PostgresError.self) {
            try await pool.withTransaction { connection in
                try await connection.query("INSERT INTO notes VALUES (\("kept?"))")
                try await connection.query("SELECT * FROM missing_table")
            }
        }
        let count: Int = try await pool.query("SELECT count(*) AS n FROM notes").first!.decode("n")
        #expect(count == 0)
        await pool.close()
    }

    @Test func aPreparedStatementSurvivesItsTableChanging() async throws {
        let pool = try await TestDatabase.pool("prepared", maxConnections: 1)
        try await pool.query("CREATE TABLE items (a INT)")
        try await pool.query("INSERT INTO items VALUES (1)")
        #expect(try await pool.query("SELECT * FROM items").columns.count == 1)
        try await pool.query("ALTER TABLE items ADD COLUMN b INT DEFAULT 2")
        let rows = try await pool.query("SELECT * FROM items")
        #expect(rows.columns.map(\.name) == ["a", "b"])
        #expect(try rows.first!.decode("b", as: Int.self) == 2)
        await pool.close()
    }

    @Test func copyLoadsRowsWithAwkwardText() async throws {
        let pool = try await TestDatabase.pool("copy", maxConnections: 2)
        try await pool.query("CREATE TABLE logs (id INT, message TEXT, note TEXT)")
        let awkward = "tab\there\nnewline \\backslash \r return ünïcode"
        var rows: [[PostgresBind]] = (0..<10_000).map { index in
            [PostgresBind(type: .int4, text: String(index)), PostgresBind(type: .text, text: "row \(index)"),
             PostgresBind(type: .text, text: nil)]
        }
        rows.append([PostgresBind(type: .int4, text: "-1"), PostgresBind(type: .text, text: awkward),
                     PostgresBind(type: .text, text: "\\N")])
        let inserted = try await pool.withConnection { try await $0.copy(into: "logs", columns: ["id", "message", "note"], rows: rows) }
        #expect(inserted == 10_001)
        let row = try await pool.query("SELECT message, note FROM logs WHERE id = -1").first!
        #expect(try row.decode("message", as: String.self) == awkward)
        #expect(try row.decode("note", as: String.self) == "\\N")
        let nulls: Int = try await pool.query("SELECT count(*) AS n FROM logs WHERE note IS NULL").first!.decode("n")
        #expect(nulls == 10_000)
        await pool.close()
    }
}

/// A count shared between tasks.
final class Counter: Sendable {
    private let count = Mutex(0)

    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Lets `parties` tasks wait until all of them have arrived; later arrivals pass at once.
actor Barrier {
    private let parties: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) {
        self.parties = parties
    }

    func arrive() async {
        arrived += 1
        if arrived >= parties {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
