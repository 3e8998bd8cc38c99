from chalice import Chalice

from chalicelib import handlers
from chalicelib.events import ScheduledEvent

app = Chalice(app_name="tickersim")


@app.schedule("rate(1 minute)", name="streaming-lambda")
def stream_ticks(event):
    return handlers.stream(event.to_dict(), event.context)


# Chalice's own event class fails on a missing field before the handler can say why.
stream_ticks.event_class = ScheduledEvent


@app.lambda_function(name="notification-lambda")
def notify_failure(event, context):
    return handlers.notify(event, context)
