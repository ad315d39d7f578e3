-- OLTP point operations (db001-bench oltp). Sections are named "-- name: X"; a section
-- "X.sqlite" replaces X for the SQLite peer. Parameters: $1, $2 (SQLite binds "$1" as
-- positional parameter 1 because it is the first to appear).

-- name: schema
CREATE TABLE kv (k BIGINT PRIMARY KEY, v TEXT)

-- name: schema.sqlite
CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)

-- name: drop
DROP TABLE kv

-- name: insert
INSERT INTO kv VALUES ($1, $2)

-- name: select
SELECT v FROM kv WHERE k = $1
