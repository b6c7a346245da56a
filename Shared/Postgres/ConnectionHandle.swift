// Nearly 250 lines: every libpq call of a connection, each freeing what it allocated.
import CLibPQ
import Foundation
import NIOPosix
import Synchronization

/// The owned `PGconn *`. Non-copyable so it cannot be duplicated and freed twice.
struct ConnectionHandle: ~Copyable {
    private var connection: OpaquePointer?
    /// Statements prepared on this connection, by SQL text. Services run a small fixed set
    /// of statements, so after the first use each runs without being parsed and planned again.
    private var prepared: [String: String] = [:]
    private var statementsPrepared = 0
    private static let maxPrepared = 256

    init(adopting connection: OpaquePointer) {
        self.connection = connection
    }

    deinit {
        if let connection { PQfinish(connection) }
    }

    static func open(_ parameters: [(String, String)]) throws -> ConnectionHandle {
        let keywords = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(keywordPointers, valuePointers, 0) else {
            throw PostgresError(kind: .connectionFailed, message: "out of memory")
        }
        let handle = ConnectionHandle(adopting: connection)
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.errorMessage(connection)
            guard !PostgresError.isAboutTLS(message) else {
                throw PostgresError(kind: .tlsFailed, message: "TLS to the database failed: \(message)")
            }
            throw PostgresError(kind: .connectionFailed, message: message)
        }
        return handle
    }

    mutating func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    var isReusable: Bool {
        guard let connection, PQstatus(connection) == CONNECTION_OK,
            PQtransactionStatus(connection) == PQTRANS_IDLE
        else { return false }
        // An idle connection's socket has nothing to read unless the server wrote to it,
        // which for us means a termination notice or EOF (a restart, an admin kill).
        var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    mutating func execute(_ query: PostgresQuery) throws -> PostgresRows {
        let connection = try liveConnection()
        // libpq takes values as C strings, and PostgreSQL text cannot hold NUL anyway: refuse
        // such a value the way the server refuses bytes it cannot store, instead of cutting it.
        if query.binds.contains(where: { $0.text?.utf8.contains(0) == true }) {
            throw PostgresError(
                kind: .server, sqlState: .characterNotInRepertoire, message: "a value contains a NUL character", query: query.sql)
        }
        let types = query.binds.map { Oid($0.type.rawValue) }
        let values = query.binds.map { $0.text.map { strdup($0) } ?? nil }
        defer { values.forEach { free($0) } }
        let valuePointers = values.map { UnsafePointer($0) }
        let count = Int32(query.binds.count)

        var name = prepared[query.sql]
        if name == nil, prepared.count < Self.maxPrepared {
            statementsPrepared += 1
            let newName = "s\(statementsPrepared)"
            let result = PQprepare(connection, newName, query.sql, count, types)
            _ = try Self.rows(from: result, connection: connection, sql: query.sql)
            prepared[query.sql] = newName
            name = newName
        }
        guard let name else {
            let result = PQexecParams(connection, query.sql, count, types, valuePointers, nil, nil, 0)
            return try Self.rows(from: result, connection: connection, sql: query.sql)
        }
        do {
            let result = PQexecPrepared(connection, name, count, valuePointers, nil, nil, 0)
            return try Self.rows(from: result, connection: connection, sql: query.sql)
        } catch let error as PostgresError where error.sqlState == .featureNotSupported {
            // "cached plan must not change result type": the table changed under the
            // statement. Forget it; outside a transaction nothing ran, so run it afresh.
            prepared[query.sql] = nil
            guard PQtransactionStatus(connection) == PQTRANS_IDLE else { throw error }
            PQclear(PQexec(connection, "DEALLOCATE \(name)"))
            return try execute(query)
        }
    }

    mutating func executeScript(_ script: String) throws {
        let connection = try liveConnection()
        _ = try Self.rows(from: PQexec(connection, script), connection: connection, sql: nil)
        // A script may have changed any table: prepared statements are planned anew.
        if !prepared.isEmpty, PQtransactionStatus(connection) == PQTRANS_IDLE {
            PQclear(PQexec(connection, "DEALLOCATE ALL"))
            prepared.removeAll()
        }
    }

    /// The payloads of notifications for this connection's `LISTEN`s, waiting up to
    /// `milliseconds` for the first; throws `connectionClosed` once the connection is lost.
    mutating func notifications(waitingUpTo milliseconds: Int32) throws -> [String] {
        let connection = try liveConnection()
        var payloads: [String] = []
        func drain() {
            while let notification = PQnotifies(connection) {
                payloads.append(String(cString: notification.pointee.extra))
                PQfreemem(notification)
            }
        }
        drain()
        if payloads.isEmpty {
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0, errno != EINTR {
                throw PostgresError(kind: .connectionClosed, message: "poll failed: errno \(errno)")
            }
            if ready > 0 {
                guard PQconsumeInput(connection) == 1 else {
                    throw PostgresError(kind: .connectionClosed, message: Self.errorMessage(connection))
                }
                drain()
            }
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            throw PostgresError(kind: .connectionClosed, message: Self.errorMessage(connection))
        }
        return payloads
    }

    mutating func copy(into table: String, columns: [String], rows: [[PostgresBind]]) throws -> Int {
        let connection = try liveConnection()
        let columnList = columns.map(Self.quoteIdentifier).joined(separator: ", ")
        let statement = "COPY \(Self.quoteIdentifier(table)) (\(columnList)) FROM STDIN"
        let start = PQexec(connection, statement)
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            // Not in COPY mode: report the server's error (this frees the result).
            return try Self.rows(from: start, connection: connection, sql: statement).affectedRows
        }
        PQclear(start)
        var buffer = [UInt8]()
        buffer.reserveCapacity(64 * 1024)
        func flush() throws {
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    PQputCopyData(connection, $0, Int32(bytes.count))
                }
            }
            guard sent == 1 else {
                throw PostgresError(kind: .connectionClosed, message: Self.errorMessage(connection), query: statement)
            }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(9) }
                CopyText.append(value.text, to: &buffer)
            }
            buffer.append(10)
            if buffer.count >= 60 * 1024 { try flush() }
        }
        if !buffer.isEmpty { try flush() }
        guard PQputCopyEnd(connection, nil) == 1 else {
            throw PostgresError(kind: .connectionClosed, message: Self.errorMessage(connection), query: statement)
        }
        var affected = 0
        var firstError: (any Error)?
        while let result = PQgetResult(connection) {
            do {
                affected = try Self.rows(from: result, connection: connection, sql: statement).affectedRows
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return affected
    }

    private func liveConnection() throws -> OpaquePointer {
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            throw PostgresError(kind: .connectionClosed, message: "connection is closed")
        }
        return connection
    }

    /// Turns a `PGresult` into rows or an error, and frees it.
    private static func rows(from result: OpaquePointer?, connection: OpaquePointer, sql: String?) throws
        -> PostgresRows
    {
        guard let result else {
            let kind: PostgresError.Kind = PQstatus(connection) == CONNECTION_OK ? .server : .connectionClosed
            throw PostgresError(kind: kind, message: errorMessage(connection), query: sql)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_SINGLE_TUPLE:
            let columnCount = Int(PQnfields(result))
            let rowCount = Int(PQntuples(result))
            let columns = (0..<columnCount).map { column in
                PostgresRows.Column(
                    name: String(cString: PQfname(result, Int32(column))),
                    type: PostgresDataType(rawValue: UInt32(PQftype(result, Int32(column)))))
            }
            var values: [[String?]] = []
            values.reserveCapacity(rowCount)
            for row in 0..<rowCount {
                var fields: [String?] = []
                fields.reserveCapacity(columnCount)
                for column in 0..<columnCount {
                    if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                        fields.append(nil)
                    } else {
                        fields.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                    }
                }
                values.append(fields)
            }
            let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
            return PostgresRows(columns: columns, values: values, affectedRows: affected)
        default:
            func field(_ code: Character) -> String? {
                PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            let broken = PQstatus(connection) != CONNECTION_OK
            throw PostgresError(
                kind: broken ? .connectionClosed : .server,
                sqlState: field("C").map(SQLState.init(rawValue:)),
                message: field("M") ?? errorMessage(connection),
                detail: field("D"), constraint: field("n"), column: field("c"), query: sql)
        }
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
