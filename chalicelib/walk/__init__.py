"""The scheduled walk: the price model, ticks, table items and state, delivery, calendars,
instruments, scenarios, news and floors."""
