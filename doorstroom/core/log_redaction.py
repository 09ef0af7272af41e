"""No BSN in a log line: numbers of eight or nine digits (also written with dots, spaces or dashes
between the digits) are replaced before any handler writes a record. Over-redacting a date or an
order number is the price; a search term that slipped into an address never reaches the log."""

import logging
import re

IDENTIFIER = re.compile(r"(?<![\d])(?:\d[ .-]?){7,8}\d(?![\d])")
REPLACEMENT = "[nummer verwijderd]"


def redact(text: str) -> str:
    return IDENTIFIER.sub(REPLACEMENT, text)


class RedactIdentifiers(logging.Filter):
    """A logging filter: the formatted message, with the numbers that could be a BSN removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
