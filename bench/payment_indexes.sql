-- What keeping billing_payment's indexes costs a bank registry's million rows (docs/scaling.md,
-- «The bank registry import (issue 13)»). Copies of the table, no Django: run in a scratch
-- database of your own, on a machine not busy with other work:
--   psql -d SCRATCH -f bench/payment_indexes.sql
-- xp_old: 1 000 000 payments already there (October's registry); xp_new: the 1 000 000 a
-- registry brings. Each variant inserts xp_new into a table holding xp_old.
\timing on
SET max_parallel_workers_per_gather = 0;
SET jit = off;
DROP TABLE IF EXISTS xp_old, xp_new, xp_a, xp_b, xp_b2, xp_c, xp_c2, xp_d;
CREATE TABLE xp_old AS SELECT g AS id, (g % 125000) + 1 AS account_id, DATE '2026-11-10' AS paid_on, DATE '2026-10-01' AS period, 1000::numeric(12,2) AS amount, 'bank'::varchar(10) AS source, ('R:10.11.2026;8610/0001;1;' || g || ';SOD')::varchar(64) AS external_id, 'Сбербанк, реестр'::varchar(200) AS note, now() AS created_at FROM generate_series(1,1000000) g;
CREATE TABLE xp_new AS SELECT g AS id, (g/8 % 125000) + 1 AS account_id, DATE '2026-12-01' + (g/8 % 25) AS paid_on, DATE '2026-11-01' AS period, (1000 + g % 3000)::numeric(12,2) AS amount, 'bank'::varchar(10) AS source, ('R:' || to_char(DATE '2026-12-01' + (g/8 % 25), 'DD.MM.YYYY') || ';8610/' || lpad((g/8 % 900)::text, 4, '0') || ';' || (1 + g/8 % 40) || ';' || (100000000 + g) || ';SOD')::varchar(64) AS external_id, 'Сбербанк, реестр 17 полей'::varchar(200) AS note, now() AS created_at FROM generate_series(2000001,3000000) g;
ANALYZE xp_new;
CREATE TABLE xp_a (LIKE xp_old); ALTER TABLE xp_a ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON xp_a (source, external_id) WHERE external_id <> '';
CREATE INDEX ON xp_a (account_id, paid_on DESC); CREATE INDEX ON xp_a (period);
CREATE TABLE xp_b (LIKE xp_old); ALTER TABLE xp_b ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON xp_b (source varchar_pattern_ops, external_id varchar_pattern_ops) WHERE external_id <> '';
CREATE INDEX ON xp_b (account_id, paid_on DESC); CREATE INDEX ON xp_b (period);
CREATE TABLE xp_b2 (LIKE xp_old); ALTER TABLE xp_b2 ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON xp_b2 (source varchar_pattern_ops, external_id varchar_pattern_ops) WHERE external_id <> '';
CREATE INDEX ON xp_b2 (account_id, paid_on DESC); CREATE INDEX ON xp_b2 (period) WHERE source = 'billing';
CREATE TABLE xp_c (LIKE xp_old); ALTER TABLE xp_c ADD PRIMARY KEY (id);
CREATE TABLE xp_c2 (LIKE xp_old); ALTER TABLE xp_c2 ADD PRIMARY KEY (id); CREATE INDEX ON xp_c2 (account_id, paid_on DESC);
INSERT INTO xp_a SELECT * FROM xp_old; INSERT INTO xp_b SELECT * FROM xp_old; INSERT INTO xp_b2 SELECT * FROM xp_old;
INSERT INTO xp_c SELECT * FROM xp_old; INSERT INTO xp_c2 SELECT * FROM xp_old;
VACUUM ANALYZE xp_a; VACUUM ANALYZE xp_b; VACUUM ANALYZE xp_b2; VACUUM ANALYZE xp_c; VACUUM ANALYZE xp_c2;
CHECKPOINT;
\echo a-today
BEGIN; INSERT INTO xp_a SELECT * FROM xp_new; COMMIT; CHECKPOINT;
\echo b-unique-in-byte-order
BEGIN; INSERT INTO xp_b SELECT * FROM xp_new; COMMIT; CHECKPOINT;
\echo b2-and-period-partial (the schema of migration 0012), and the WAL it writes
CREATE TEMP TABLE lsn AS SELECT pg_current_wal_lsn() AS at;
BEGIN; INSERT INTO xp_b2 SELECT * FROM xp_new; COMMIT;
SELECT pg_size_pretty(pg_current_wal_lsn() - at) AS wal FROM lsn; DROP TABLE lsn; CHECKPOINT;
\echo c-pk-only
BEGIN; INSERT INTO xp_c SELECT * FROM xp_new; COMMIT; CHECKPOINT;
\echo c2-pk-and-account
BEGIN; INSERT INTO xp_c2 SELECT * FROM xp_new; COMMIT; CHECKPOINT;
\echo b2-again-sorted-by-account
DELETE FROM xp_b2 WHERE period = '2026-11-01'; VACUUM xp_b2; CHECKPOINT;
BEGIN; INSERT INTO xp_b2 SELECT * FROM xp_new ORDER BY account_id, paid_on DESC; COMMIT; CHECKPOINT;
\echo b2-again-sorted-by-operation-id
DELETE FROM xp_b2 WHERE period = '2026-11-01'; VACUUM xp_b2; CHECKPOINT;
BEGIN; INSERT INTO xp_b2 SELECT * FROM xp_new ORDER BY source, external_id; COMMIT; CHECKPOINT;
\echo d-new-table-then-indexes
BEGIN;
CREATE TABLE xp_d (LIKE xp_old); INSERT INTO xp_d SELECT * FROM xp_new;
ALTER TABLE xp_d ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON xp_d (source varchar_pattern_ops, external_id varchar_pattern_ops) WHERE external_id <> '';
CREATE INDEX ON xp_d (account_id, paid_on DESC);
COMMIT;
DROP TABLE xp_old, xp_new, xp_a, xp_b, xp_b2, xp_c, xp_c2, xp_d;
