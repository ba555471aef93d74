-- Run once by the postgres image on an empty data volume (mounted into /docker-entrypoint-initdb.d by
-- docker-compose.yml). The app's database `coachflow` comes from POSTGRES_DB; this adds Temporal's
-- own role and its two databases, whose schemas temporalio/auto-setup creates and upgrades
-- (it runs with SKIP_DB_CREATE=true because the databases already exist).
CREATE ROLE temporal LOGIN PASSWORD 'temporal';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
