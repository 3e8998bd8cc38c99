-- One-minute OHLC bars per ticker (minute: the bar's first instant, UTC), live and backfilled
-- ticks alike; a tick delivered twice counts once. Runs unchanged on DuckDB and Athena.
WITH prices AS (
    SELECT ticker, seq, "timestamp", price FROM ticks
    UNION
    SELECT ticker, seq, "timestamp", price FROM history
)
SELECT ticker,
       date_trunc('minute', "timestamp") AS minute,
       min_by(price, "timestamp") AS open,
       max(price) AS high,
       min(price) AS low,
       max_by(price, "timestamp") AS close,
       count(*) AS ticks
FROM prices
GROUP BY ticker, date_trunc('minute', "timestamp")
ORDER BY ticker, minute
