"""The read-only HTTP API and the chart page it serves (web/)."""
