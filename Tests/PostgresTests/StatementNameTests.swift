import Testing

@testable import Postgres

/// `db_query_duration_seconds` names statements by verb and table, with few distinct names.
@Suite struct StatementNameTests {
    @Test(arguments: [
        ("SELECT id, name FROM products WHERE id = $1", "select_products"),
        ("select count(*) from public.orders", "select_orders"),
        ("SELECT count(*)::int, EXTRACT(EPOCH FROM now() - min(created_at)) FROM order_sagas WHERE ended_at IS NULL", "select_order_sagas"),
        ("SELECT p.* FROM (SELECT * FROM reviews) p", "select"),
        ("SELECT 1", "select"),
        ("INSERT INTO order_items (order_id) VALUES ($1)", "insert_order_items"),
        ("UPDATE ONLY products SET stock = stock - 1", "update_products"),
        ("UPDATE stock SET x = (SELECT 1 FROM y)", "update_stock"),
        ("DELETE FROM user_sessions WHERE id = $1", "delete_user_sessions"),
        ("WITH lease AS (UPDATE order_sagas SET x = 1) SELECT 1", "with_order_sagas"),
        ("REVOKE CONNECT ON DATABASE d FROM PUBLIC", "revoke"),
        ("BEGIN", "begin"),
        ("", "empty"),
    ])
    func names(sql: String, expected: String) {
        #expect(StatementName.of(sql) == expected)
    }
}
