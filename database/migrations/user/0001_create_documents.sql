-- The User service's document database: Firestore-style collections of JSON documents
-- with string ids, stored as JSONB (see Shared/DocumentStore).
CREATE TABLE documents (
    collection  TEXT        NOT NULL,
    id          TEXT        NOT NULL,
    data        JSONB       NOT NULL,
    create_time TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    update_time TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (collection, id)
);
