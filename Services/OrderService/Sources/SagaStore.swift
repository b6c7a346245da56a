import Foundation
import Postgres
import Primitives

/// The saga's durable state in `order_sagas`, its append-only log in `order_saga_events`, and
/// every write to an order (`orders`, `order_items`, `payments`): the one type that writes
/// them, each write fenced by the saga's lease. Only the process holding a saga's lease may
/// advance it, and a process that lost it (it stalled past `ORDER_SAGA_TIMEOUT_MS`) stops.
///
/// By concern: `+Placement` (recording a new order, finding an earlier request, loading a
/// saga), `+Log` (outcomes and what they decide), `+Confirmation`, `+Cancellation`,
/// `+Recovery` (claims of expired leases), `+Fulfilment` (admin status changes) and
/// `+OrderWrites` (the order rows a step writes). ``OrderStore`` only reads.
struct SagaStore: Sendable {
    let pool: PostgresPool
    /// How long a saga stays with the process driving it before recovery may take it over.
    let lease: Duration
    /// This process's identity as a lease holder.
    let owner: UUID

    /// The lease was taken over by another process.
    struct LeaseLost: Error {}

    /// `statements` (data-modifying, joining `lease`) in one statement whose `lease` names
    /// `orderID` alone: for writes inside a transaction that took the lease already or that
    /// holds the order's row lock. Each statement must touch a table of its own.
    static func forOrder(_ orderID: Int, _ statements: [PostgresQuery]) -> PostgresQuery {
        var query: PostgresQuery = "WITH lease AS (SELECT \(orderID)::int AS order_id)"
        appendWrites(statements, to: &query)
        query.append(" SELECT 1")
        return query
    }

    /// `, write0 AS (…), write1 AS (…)`: `statements` as data-modifying CTEs after `lease`
    /// (PostgreSQL runs each once, whether or not the query reads it).
    static func appendWrites(_ statements: [PostgresQuery], to query: inout PostgresQuery) {
        for (index, statement) in statements.enumerated() {
            query.append(PostgresQuery(unsafeSQL: ", write\(index) AS ("))
            query.append(statement)
            query.append(")")
        }
    }

    /// The insert of `events`, in order, into the log of the order `lease` names.
    static func logInsert(_ events: [SagaEvent]) -> PostgresQuery {
        """
        INSERT INTO order_saga_events (order_id, action, outcome, detail)
        SELECT lease.order_id, e.action, e.outcome, NULLIF(e.detail, '')::jsonb
        FROM lease, unnest(\(events.map(\.action)), \(events.map(\.outcome)), \(events.map(\.detailJSON)))
            WITH ORDINALITY AS e(action, outcome, detail, n)
        ORDER BY e.n
        """
    }
}
