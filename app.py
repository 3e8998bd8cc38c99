from chalice import Chalice

from chalicelib import handlers
from chalicelib.api import api
from chalicelib.core import events

app = Chalice(app_name="tickersim")


@events.schedule(app, "rate(1 minute)", name="streaming-lambda")
def stream_ticks(event):
    return handlers.stream(event.to_dict(), event.context)


@app.lambda_function(name="notification-lambda")
def notify_failure(event, context):
    return handlers.notify(event, context)


# Triggered by new objects under ticks/ (an S3 event notification that tickersim deploy
# wires, since the bucket belongs to the data stack, not to Chalice).
@app.lambda_function(name="watch-lambda")
def watch_moves(event, context):
    return handlers.watch_moves(event, context)


@app.route("/")
def index():
    return api.page_response()


@app.route("/api/tickers")
def tickers():
    return api.tickers_response(app.current_request)


@app.route("/api/ticks")
def ticks():
    return api.ticks_response(app.current_request)
