-- Run once by the PostgreSQL image on an empty data directory, before the service's init
-- script. The image makes POSTGRES_USER the superuser and creates no role "postgres"; the
-- design document's superuser commands (`docker exec -it postgres-product psql -U postgres
-- -d product_database -c "ALTER DATABASE ..."`) need one. It has no password, so it can
-- only connect from inside the container (the image trusts local connections, and asks
-- every TCP connection for a password).
SELECT 'CREATE ROLE postgres SUPERUSER LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'postgres') \gexec
