"""What each Lambda handler does, so that app.py stays a list of entry points."""
import os

from chalicelib import alerts, clients, logs, pipeline
from chalicelib.settings import alert_settings, stream_settings


def stream(event, context):
    settings = stream_settings(os.environ)
    return pipeline.run(event, context, settings, clients.get("dynamodb"), clients.get("firehose"))


def notify(event, context):
    settings = alert_settings(os.environ)
    if settings.owner_name is None:
        logs.error("OWNER_NAME is not set: the alert goes out without a name; set it in "
                   ".chalice/config.json for this stage")
    message_id = alerts.publish(clients.get("sns"), settings.topic_arn, settings.owner_name,
                                event, settings.owner_ascii)
    logs.info("alert published", topic=settings.topic_arn, message_id=message_id,
              subject=alerts.subject(settings.owner_name, settings.owner_ascii))
    return {"message_id": message_id}
