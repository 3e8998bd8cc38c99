-- The classic exercise's query, as the course gives it: for each company and New York hour,
-- the highest price and the time(s) of the 1-minute bar that reached it. It reads the
-- course's table finance_stream_data(name, high, low, ts), which tickersim offers as a view
-- over ticks and history (tickersim/data/course.py): it runs here unchanged.
SELECT *
FROM
(SELECT T1.Company, T2.High_Stock_Price, T1.DateTime, T1.Hour
 FROM
 (SELECT name AS Company, high, ts AS DateTime, SUBSTRING(ts, 12, 2) AS Hour FROM finance_stream_data) T1
INNER JOIN
 (SELECT name, SUBSTRING(ts, 12, 2) AS hour, MAX(high) AS High_Stock_Price
  FROM finance_stream_data
  GROUP BY name, SUBSTRING(ts, 12, 2)) T2
ON T1.Company = T2.name AND T1.high = T2.High_Stock_Price AND T1.Hour = T2.hour)
ORDER BY Company, Hour, DateTime
