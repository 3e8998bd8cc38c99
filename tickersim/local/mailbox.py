"""The local mailbox: alerts taken from the queue subscribed to the topic, written as e-mails.

moto never sends e-mail, so the owner's inbox is a queue; each SNS notification becomes an
RFC 5322 message as SNS's e-mail protocol would deliver it (`.eml`, CRLF line endings).
"""
import json
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

SENDER = "AWS Notifications <no-reply@sns.amazonaws.com>"
MAX_LINE = 998          # RFC 5322: characters in a line, without its CRLF
_FOOTER = ("\n--\nIf you wish to stop receiving notifications from this topic, please click or "
           "visit the link below to unsubscribe:\n{}\n")


@dataclass(frozen=True)
class Alert:
    subject: str
    body: str
    path: Path


def to_email(envelope, recipient):
    """The e-mail SNS sends for one notification envelope (a dict from the queue)."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = SENDER
    mail["To"] = recipient
    mail["Subject"] = envelope.get("Subject") or ""
    sent = envelope.get("Timestamp")
    if sent:
        mail["Date"] = format_datetime(datetime.fromisoformat(sent.replace("Z", "+00:00")))
    mail["Message-ID"] = f"<{envelope.get('MessageId', 'unknown')}@sns.amazonaws.com>"
    body = envelope.get("Message") or ""
    if envelope.get("UnsubscribeURL"):
        body += _FOOTER.format(unsubscribe_url(envelope))
    # Plain 7-bit text when it fits, so the .eml reads as it is in any editor.
    readable = body.isascii() and all(len(line) <= MAX_LINE for line in body.splitlines())
    mail.set_content(body, charset="utf-8", cte="7bit" if readable else "quoted-printable")
    return mail


def unsubscribe_url(envelope):
    """The envelope's unsubscribe link in its topic's region, as SNS writes it: moto 5.2.5
    writes us-east-1 into every link, whatever the topic's region."""
    url, topic = envelope["UnsubscribeURL"], envelope.get("TopicArn") or ""
    parts = topic.split(":")
    if len(parts) < 6 or not parts[3]:
        return url
    region = parts[3]
    url = re.sub(r"//sns\.[a-z0-9-]+\.amazonaws\.com", f"//sns.{region}.amazonaws.com", url)
    return re.sub(r"arn:aws:sns:[a-z0-9-]+:", f"arn:aws:sns:{region}:", url)


class Mailbox:
    def __init__(self, sqs, queue_url, save, recipient):
        # save(name, data) -> path: writes one .eml where the demo keeps its output, numbered
        # in arrival order across every mailbox that shares the outbox.
        self.sqs, self.queue_url, self.save = sqs, queue_url, save
        self.recipient = recipient
        self.alerts = []

    def collect(self, wait_seconds=0):
        """Write every notification waiting in the queue to the outbox; returns the new ones.

        wait_seconds > 0 long-polls until at least one message is there, or the wait ends.
        """
        new = []
        while True:
            reply = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                             WaitTimeSeconds=0 if new else wait_seconds)
            messages = reply.get("Messages", [])
            if not messages:
                return new
            for message in messages:
                new.append(self._deliver(json.loads(message["Body"])))
                self.sqs.delete_message(QueueUrl=self.queue_url,
                                        ReceiptHandle=message["ReceiptHandle"])

    def _deliver(self, envelope):
        mail = to_email(envelope, self.recipient)
        # The id comes from the queue's message: anything but a plain name is replaced.
        message_id = re.sub(r"[^A-Za-z0-9-]", "_", str(envelope.get("MessageId") or "alert"))
        path = self.save(f"{message_id[:80]}.eml", mail.as_bytes())
        alert = Alert(subject=mail["Subject"], body=envelope.get("Message") or "", path=path)
        self.alerts.append(alert)
        return alert
