"""The demo's alert mailbox and the functions' logs, as a subscriber and CloudWatch Logs
would see them."""
from tickersim.local import lambdas

MAIL_WAIT_S = 5


class MailAndLogs:
    """Part of Demo: runs the notification function, collects its e-mails, writes logs."""

    def notify(self, record):
        outcome = lambdas.invoke(self.notifier, record, self.aws_env)
        self.record_log(self.notifier, outcome)
        if outcome.failed:
            self.notifier_failures += 1
            self.view.event(f"{self.notifier.name} failed: {lambdas.error_type(outcome.payload)}"
                            f": {outcome.payload.get('errorMessage', '')}", "bold red")
            return
        if not self.collect_mail(MAIL_WAIT_S):
            self.view.event("the alert was published but no e-mail reached the mailbox",
                            "bold red")

    def save_mail(self, name, data):
        self.mails += 1
        return self.files.write_bytes(f"outbox/{self.mails:03d}-{name}", data)

    def collect_mail(self, wait_seconds=0):
        arrived = self.mailbox.collect(wait_seconds=wait_seconds)
        for alert in arrived:
            if self.watching.notice(alert):
                continue
            self.state.alerts.append(alert.subject)
            self.state.alert_files.append(alert.path)
            self.view.event(f"alert e-mail: {alert.subject} -> {alert.path}", "bold red")
        return arrived

    def record_log(self, function, outcome):
        self.write_log(function, outcome.request_id, outcome.log, outcome.duration)

    def write_log(self, function, request_id, text, duration):
        """An invocation's output, framed as CloudWatch Logs frames it."""
        self.files.append_text(
            f"logs/{function.name}.log",
            f"START RequestId: {request_id} Version: $LATEST\n{text}END RequestId: "
            f"{request_id}\nREPORT RequestId: {request_id}\tDuration: "
            f"{duration * 1000:.2f} ms\n")
