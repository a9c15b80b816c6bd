-- Server settings the benchmark figures in README were measured with (a 2-core, 24 GB
-- machine; Debian's defaults are sized for a laptop: 128 MB shared_buffers, 1 GB of WAL
-- between checkpoints, JIT on). Apply as a superuser, then restart the server:
--   psql "$DATABASE_URL" -f bench/postgresql-tuning.sql && pg_ctlcluster 15 main restart
-- (`make bench-pg-tune` does both on a local Debian cluster.) Nothing here trades
-- durability: fsync and synchronous_commit stay on.
ALTER SYSTEM SET shared_buffers = '4GB';
ALTER SYSTEM SET effective_cache_size = '16GB';
ALTER SYSTEM SET work_mem = '16MB';
ALTER SYSTEM SET maintenance_work_mem = '512MB';
ALTER SYSTEM SET max_wal_size = '8GB';
ALTER SYSTEM SET checkpoint_timeout = '15min';
ALTER SYSTEM SET wal_compression = 'on';
ALTER SYSTEM SET random_page_cost = '1.1';
-- JIT compiles plans of large aggregates at hundreds of ms each; OLTP pages never need it.
ALTER SYSTEM SET jit = 'off';
