"""The scheduled event as Chalice hands it to the handler, tolerant of odd shapes."""
from chalice.app import CloudWatchEvent


class ScheduledEvent(CloudWatchEvent):
    """Chalice's CloudWatchEvent raises KeyError on a missing field before the handler
    runs; this one keeps whatever arrived, so the handler can fall back and say why."""

    def _extract_attributes(self, event_dict):
        fields = event_dict if isinstance(event_dict, dict) else {}
        self.version = fields.get("version")
        self.account = fields.get("account")
        self.region = fields.get("region")
        self.detail = fields.get("detail")
        self.detail_type = fields.get("detail-type")
        self.source = fields.get("source")
        self.time = fields.get("time")
        self.event_id = fields.get("id")
        self.resources = fields.get("resources")


def schedule(app, expression, name):
    """`app.schedule(expression, name=name)`, with handlers that get a ScheduledEvent.

    A decorator rather than a line after the handler, so that app.py never names the
    handler twice: renaming it must fail as AWS fails, Runtime.HandlerNotFound.
    """
    register = app.schedule(expression, name=name)

    def decorate(func):
        handler = register(func)
        handler.event_class = ScheduledEvent
        return handler
    return decorate
