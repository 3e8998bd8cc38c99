"""What every function shares: settings, AWS clients, logs, events, errors and retries."""
