"""The classic exercise's table, `finance_stream_data(name, high, low, ts)`, as a view over
`ticks` and `history`, so the course's own SQL (queries/course/) runs unchanged.

The course streamed yfinance's 1-minute bars of ten stocks: `high` and `low` of each minute,
and `ts` the bar's start as pandas prints a New York time ('2020-05-14 09:30:00-04:00'), so
SUBSTRING(ts, 12, 2) is the New York hour (09-15 in a session). The view makes the same bars
from the ticks; a tick delivered twice counts once. A history tick closes its interval (the
1-minute tick at 09:31:00 is the price at the end of the 09:30 bar, the 16:00:00 one the
session's close), so it counts in the minute before its timestamp.
"""
ZONE = "America/New_York"

DUCKDB_VIEW = f"""
CREATE VIEW finance_stream_data AS
WITH prices AS (
    SELECT ticker, seq, "timestamp", price, date_trunc('minute', "timestamp") AS minute
    FROM ticks
    UNION
    SELECT ticker, seq, "timestamp", price,
           date_trunc('minute', "timestamp" - INTERVAL 1 SECOND) AS minute
    FROM history
),
bars AS (
    SELECT ticker, minute, max(price) AS high, min(price) AS low
    FROM prices
    GROUP BY ticker, minute
),
local AS (
    SELECT *, timezone('{ZONE}', minute) AS wall,
           CAST(epoch(timezone('{ZONE}', minute)) - epoch(minute) AS INTEGER) AS offset_s
    FROM bars
)
SELECT ticker AS name, high, low,
       strftime(wall, '%Y-%m-%d %H:%M:%S')
       || printf('%s%02d:%02d', CASE WHEN offset_s < 0 THEN '-' ELSE '+' END,
                 abs(offset_s) // 3600, abs(offset_s) % 3600 // 60) AS ts
FROM local
"""
