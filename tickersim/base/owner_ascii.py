"""The owner's name in ASCII for the alert's subject, worked out where the tables can live.

A real transliteration (李小龍 -> Li Xiao Long, Владимир -> Vladimir) needs text-unidecode's
table: 311 KB, 71 KB zipped, more than three times the whole Lambda bundle. So it runs on the
operator's machine (deploy, demo) and reaches the notifier as OWNER_ASCII.
"""
from text_unidecode import unidecode

from chalicelib.alerts import alerts
from chalicelib.alerts.text import single_line

ENV = "OWNER_ASCII"


def owner_ascii(owner):
    """The name transliterated to ASCII on one line ('' when nothing of it has an ASCII form)."""
    return single_line(unidecode(owner or ""))


def alert_subject(owner):
    """The subject the notifier will really send for this owner, given OWNER_ASCII."""
    return alerts.subject(owner, owner_ascii(owner))
