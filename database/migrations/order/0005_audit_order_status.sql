-- What the audit trail records here (audit_row_change, 0004): an order's status changed by
-- an admin or an API key (a customer's own orders and the saga's steps are not admin actions).
CREATE TRIGGER orders_audit AFTER UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION audit_row_change();
