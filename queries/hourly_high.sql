-- For each ticker and hour: the highest price, and the time(s) it was reached.
-- Live and backfilled ticks alike; a tick delivered twice (a re-sent record) counts once.
-- Plain SQL that DuckDB and Athena (Trino) both run unchanged.
WITH prices AS (
    SELECT ticker, seq, "timestamp", price, dt, hour FROM ticks
    UNION
    SELECT ticker, seq, "timestamp", price, dt, hour FROM history
),
highs AS (
    SELECT ticker, dt, hour, max(price) AS high
    FROM prices
    GROUP BY ticker, dt, hour
)
SELECT DISTINCT p.ticker, p.dt, p.hour, h.high, p."timestamp"
FROM prices p
JOIN highs h
  ON p.ticker = h.ticker AND p.dt = h.dt AND p.hour = h.hour AND p.price = h.high
ORDER BY p.ticker, p.dt, p.hour, p."timestamp"
