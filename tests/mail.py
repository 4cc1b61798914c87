"""A mail backend that fails like a dropped SMTP connection, for tests of what a failed send leaves behind."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class SMTPOutage:
    """How many sends were attempted, and how many of the first attempts fail."""

    def __init__(self) -> None:
        self.attempts = 0
        self.failures = 0


outage = SMTPOutage()


class OutageEmailBackend(EmailBackend):
    """Django's test backend (mail.outbox), but the first `outage.failures` attempts raise an SMTP error."""

    def send_messages(self, messages):
        outage.attempts += 1
        if outage.attempts <= outage.failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
