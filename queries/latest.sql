-- The last price of each ticker and when it was made, live or backfilled.
-- Runs unchanged on DuckDB and Athena.
WITH prices AS (
    SELECT ticker, "timestamp", price FROM ticks
    UNION
    SELECT ticker, "timestamp", price FROM history
)
SELECT ticker, max_by(price, "timestamp") AS price, max("timestamp") AS "timestamp"
FROM prices
GROUP BY ticker
ORDER BY ticker
