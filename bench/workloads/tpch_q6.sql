-- TPC-H Q6 (forecasting revenue change), spec 2.4.6 with DATE = 1994-01-01,
-- DISCOUNT = 0.06, QUANTITY = 24; "+ interval '1' year" is written as DATE '1995-01-01'
-- and "0.06 - 0.01 AND 0.06 + 0.01" as "0.05 AND 0.07".

-- name: query
SELECT sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= DATE '1994-01-01'
  AND l_shipdate < DATE '1995-01-01'
  AND l_discount BETWEEN 0.05 AND 0.07
  AND l_quantity < 24

-- name: query.sqlite
SELECT sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= '1994-01-01'
  AND l_shipdate < '1995-01-01'
  AND l_discount BETWEEN 0.05 AND 0.07
  AND l_quantity < 24
