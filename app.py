from chalice import Chalice

from chalicelib import handlers
from chalicelib.api import msapi, routes
from chalicelib.core import events

app = Chalice(app_name="tickersim")


@events.schedule(app, "rate(1 minute)", name="streaming-lambda")
def stream_ticks(event):
    return handlers.stream(event.to_dict(), event.context)


# Started by stream_ticks, one per table segment, once the table outgrows one function.
@app.lambda_function(name="worker-lambda")
def walk_segment(event, context):
    return handlers.walk_segment(event, context)


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
    return routes.page_response()


@app.route("/api/tickers")
def tickers():
    return routes.tickers_response(app.current_request)


@app.route("/api/ticks")
def ticks():
    return routes.ticks_response(app.current_request)


# Marketstack's v1 surface over the same ticks (see README, "Use it as a Marketstack stand-in").
@app.route("/v1/intraday")
def ms_intraday():
    return marketstack_bars("intraday")


@app.route("/v1/intraday/{date}")
def ms_intraday_on(date):
    return marketstack_bars("intraday", date)


@app.route("/v1/eod")
def ms_eod():
    return marketstack_bars("eod")


@app.route("/v1/eod/{date}")
def ms_eod_on(date):
    return marketstack_bars("eod", date)


def marketstack_bars(endpoint, mode=None):
    params = routes.params_of(app.current_request)
    return routes.marketstack_respond(params, lambda config: msapi.bars_body(config, params, endpoint, mode))


@app.route("/v1/tickers")
def ms_tickers():
    params = routes.params_of(app.current_request)
    return routes.marketstack_respond(params, lambda config: msapi.tickers_body(config, params))


@app.route("/v1/tickers/{symbol}")
def ms_ticker(symbol):
    params = routes.params_of(app.current_request)
    return routes.marketstack_respond(params, lambda config: msapi.ticker_body(config, symbol))


@app.route("/v1/exchanges")
def ms_exchanges():
    params = routes.params_of(app.current_request)
    return routes.marketstack_respond(params, lambda config: msapi.exchanges_body(config, params))
