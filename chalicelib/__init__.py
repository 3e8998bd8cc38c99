"""Code that ships to Lambda: market model, tick records, table state, delivery, alerts."""
