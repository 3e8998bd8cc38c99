"""Each route's answer as a Chalice Response: the bodies come from api (the /api routes) and
msapi (Marketstack's /v1), errors in each surface's own shape, never a stack trace."""

import json

from chalicelib.api import api, marketstack, msapi, msquery
from chalicelib.api.api import ApiError, error_body
from chalicelib.api.marketstack import MarketstackError
from chalicelib.core import logs

log = logs.app_logger("api")
JSON_TYPE = "application/json"
_page = None


def dumps(body):
    return json.dumps(body, separators=(",", ":"))


def json_response(status, body):
    from chalice import Response  # the Chalice runtime, bundled with the app

    return Response(body=dumps(body), status_code=status,
                    headers={"Content-Type": JSON_TYPE, "Cache-Control": "no-store",
                             "Access-Control-Allow-Origin": "*"})


def params_of(request):
    """Every value of each name: the parsers refuse a repeated parameter by name."""
    given = request.query_params or {}
    return {name: given.getlist(name) for name in given}


# --- /api and the page ------------------------------------------------------------------

def respond(make_body):
    """make_body's dict as JSON, an ApiError in the error shape, and any other failure as a
    500 that says nothing of the code (the log has the trace)."""
    try:
        status, body = 200, make_body()
    except ApiError as exc:
        status, body = exc.status, error_body(exc.code, exc.message)
    except Exception:    # noqa: BLE001 - a reader must never see a stack trace
        log.exception("the API failed")
        status, body = 500, error_body("internal_error", "the API failed; try again later")
    return json_response(status, body)


def tickers_response(request=None):
    def body():
        # Like /api/ticks: a misspelt parameter is refused, not silently ignored.
        given = sorted((request and request.query_params) or {})
        if given:
            raise ApiError(400, "invalid_parameter", f"{given[0][:40]}: unknown parameter "
                                                     "(/api/tickers takes none)")
        return api.tickers_body(api.settings())
    return respond(body)


def ticks_response(request):
    params = params_of(request)
    return respond(lambda: api.ticks_body(api.settings(), params))


def page_html():
    """The chart page, with the vendored uPlot inlined: one self-contained document."""
    global _page
    if _page is None:
        web = api.WEB
        html = (web / "index.html").read_text(encoding="utf-8")
        _page = (html.replace("/*UPLOT_CSS*/", (web / "uPlot.min.css").read_text("utf-8"))
                 .replace("/*UPLOT_JS*/", (web / "uPlot.iife.min.js").read_text("utf-8")))
    return _page


def page_response():
    from chalice import Response

    return Response(body=page_html(), status_code=200,
                    headers={"Content-Type": "text/html; charset=utf-8",
                             "Cache-Control": "no-cache"})


# --- Marketstack's /v1 ------------------------------------------------------------------

def marketstack_respond(params, make_body):
    """Check the key, then answer make_body(settings); errors in Marketstack's shape. Nothing
    here logs the key or the query string that carries it."""
    try:
        config = api.settings()
        marketstack.check_access_key(msquery.value(params, "access_key"), msapi.access_key())
        status, body = 200, make_body(config)
    except MarketstackError as exc:
        status, body = exc.status, exc.body()
    except ApiError as exc:
        status, body = 500, MarketstackError("internal_error", exc.message).body()
    except Exception:  # noqa: BLE001 - a caller never sees a stack trace
        log.exception("the Marketstack API failed")
        status, body = 500, MarketstackError("internal_error",
                                             "the API failed; try again later").body()
    return json_response(status, body)
