"""A logging filter that keeps health data and link tokens out of every log line.

Request bodies are never logged, but three things could still carry what a person wrote
or the keys to it:

- Paths. django.request logs every 4xx and 5xx as "Not Found: /s/<token>/"; a share
  token opens a person's report and an unsubscribe token acts for them, so the token
  part of /s/ and /unsubscribe/ paths is replaced.
- Exception messages. A database error quotes the failing row ("Failing row contains
  (..., 'my notes')"), a parser quotes its input, a bug formats a value into its message.
  The trace (files, lines, functions) is kept so the error can still be found; each
  message is replaced by the exception's type.
- Celery's task-failure line, which puts the exception's repr among its arguments: the
  same rule.

settings.LOGGING puts this filter on every handler, and a test walks every logger's
handlers to make sure none goes without it.
"""

from __future__ import annotations

import logging
import re
import traceback

# The token segment after /s/ or /unsubscribe/, wherever the path stands in the line.
LINK_TOKEN = re.compile(r"(/(?:s|unsubscribe)/)[^/\s?#\"'<>]+")
REDACTED = "[redacted]"


def redact_links(text: str) -> str:
    return LINK_TOKEN.sub(rf"\g<1>{REDACTED}", text)


def _type_name(exc: BaseException) -> str:
    kind = type(exc)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def trace_without_messages(exc: BaseException) -> str:
    """The traceback of ``exc`` and the exceptions it chains, each message left out."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts = [
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_list(traceback.extract_tb(link.__traceback__)))
        + f"{_type_name(link)} (message withheld: it may quote health data)"
        for link in reversed(chain)
    ]
    return "\n\nWhich led to:\n\n".join(parts)


class RedactHealthData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "health_data_redacted", False):
            return True  # a handler before this one has done it already
        if isinstance(record.args, dict) and isinstance(record.args.get("exc"), str):
            # Celery's "Task %(name)s[%(id)s] raised unexpected: %(exc)s": keep the type only.
            record.args = {**record.args, "exc": record.args["exc"].split("(", 1)[0]}
        record.msg = redact_links(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = trace_without_messages(record.exc_info[1])
            record.exc_info = None
        elif record.exc_text:
            # Formatted by a handler without this filter: the message is in the text already.
            record.exc_text = REDACTED
        record.health_data_redacted = True
        return True
