-- A request method is any HTTP token (UNSUBSCRIBE has 11 letters, extensions more): the
-- design document's VARCHAR(10) refused such rows. The gateway also clips every value to
-- its column before writing (see APILogEntry), so no row can be refused for its length.
ALTER TABLE api_logs ALTER COLUMN method TYPE VARCHAR(32);
