"""What each Lambda handler does, so that app.py stays a list of entry points."""
import os
import time
from typing import Any

from chalicelib.alerts import alerts, recovery
from chalicelib.core import clients, events, logs
from chalicelib.core.errors import TooManyTickers
from chalicelib.core.settings import alert_settings, stream_settings, watch_settings
from chalicelib.walk import coordinator, fanout, pipeline, sink
from chalicelib.watch import watch


def stream(event: dict, context: Any) -> dict:
    settings = stream_settings(os.environ)
    if settings.worker_function is not None and (settings.workers or 1) > 1:
        return coordinator.run(event, settings, clients.get("dynamodb"), clients.get("lambda"),
                               settings.workers)
    specials = {}
    try:
        report = pipeline.run(event, context, settings, clients.get("dynamodb"), None,
                              sink=sink.for_settings(settings, clients.get), specials=specials)
    except TooManyTickers as exc:
        # The coordinator's minute: one worker per WORKER_TICKERS tickers.
        return coordinator.run(event, settings, clients.get("dynamodb"), clients.get("lambda"),
                               fanout.segment_count(exc.count, settings.worker_tickers))
    if recovery.OUTAGE_KEY in specials:
        recovery.announce(clients.get("dynamodb"), clients.get("sns"), settings.table_name,
                          os.environ.get("TOPIC_ARN"), os.environ.get("OWNER_NAME"),
                          specials[recovery.OUTAGE_KEY], report,
                          owner_ascii=os.environ.get("OWNER_ASCII"))
    return report


def walk_segment(event: dict, context: Any) -> dict:
    """A worker: one segment of the minute, with the scheduled run's guarantees."""
    task = events.parse_task(event)
    settings = stream_settings(os.environ)
    return pipeline.run(event, context, settings, clients.get("dynamodb"), None,
                        sink=sink.for_settings(settings, clients.get), task=task)


def notify(event: dict, context: Any) -> dict:
    settings = alert_settings(os.environ)
    if settings.owner_name is None:
        logs.error("OWNER_NAME is not set: the alert goes out without a name; set it in "
                   ".chalice/config.json for this stage")
    message_id = alerts.publish(clients.get("sns"), settings.topic_arn, settings.owner_name,
                                event, settings.owner_ascii)
    logs.info("alert published", topic=settings.topic_arn, message_id=message_id,
              subject=alerts.subject(settings.owner_name, settings.owner_ascii))
    _record_outage(event)
    return {"message_id": message_id}


def _record_outage(event: dict) -> None:
    """After the alert (a table problem must never drop it): mark the outage so the first
    good run sends the recovery notice."""
    table = os.environ.get("TABLE_NAME")
    if not table:
        logs.error("TABLE_NAME is not set on the notification function: no recovery notice "
                   "will follow this alert; redeploy with tickersim deploy")
        return
    try:
        recovery.record_failure(clients.get("dynamodb"), table,
                                recovery.failed_minute(event, int(time.time()) // 60))
    except Exception as exc:    # noqa: BLE001 - the alert is out; say why the notice is not
        logs.error("could not record the outage: no recovery notice will follow",
                   table=table, error=f"{type(exc).__name__}: {exc}")


def watch_moves(event: dict, context: Any) -> dict:
    return watch.run(event, watch_settings(os.environ), clients.get("s3"),
                     clients.get("dynamodb"), clients.get("sns"),
                     os.environ.get("AWS_REGION", "eu-west-1"))
