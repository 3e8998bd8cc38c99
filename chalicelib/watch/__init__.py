"""The watcher: price-move alerts from delivered ticks."""
