"""Code that ships to Lambda: the walk, the alerts, the watcher and the API over a shared core."""
