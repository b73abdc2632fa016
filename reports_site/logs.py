"""Log records as one line each on stderr, for the process manager (systemd's journal) to
keep: JSON in production (LOG_FORMAT=json), readable text in development.

Django logs every 500 on `django.request` with the exception and the request attached; the
formatters here add the request's method, path and user, so a failing page can be found
and told apart from the next one.
"""

import datetime as dt
import json
import logging


def request_fields(record):
    """The method, path and user id of the request a record was logged for, if any."""
    request = getattr(record, "request", None)
    if request is None or not hasattr(request, "path"):
        return {}
    fields = {"method": request.method, "path": request.path}
    status = getattr(record, "status_code", None)
    if status is not None:
        fields["status"] = status
    fields["user_id"] = _user_id(request)
    return fields


def _user_id(request):
    user = getattr(request, "user", None)  # absent when the failure came before the middleware
    if user is None:
        return None
    try:  # reading it may query the database, which may be what failed
        return user.pk if user.is_authenticated else None
    except Exception:
        return None


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request and the traceback."""

    def format(self, record):
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **request_fields(record),
        }
        if record.exc_info:
            entry["exception"] = repr(record.exc_info[1])
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The usual text line, with the request after the message."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record):
        line = super().formatMessage(record)
        fields = request_fields(record)
        if fields:
            line += " [" + " ".join(f"{key}={value}" for key, value in fields.items()) + "]"
        return line


# The least level a chatty library's record needs to be printed (their warnings still are).
QUIET = "WARNING"


def logging_config(level, fmt):
    """The LOGGING setting: every logger to stderr in the chosen format.

    Django's own handlers are replaced: by default they print only with DEBUG on and
    otherwise mail ADMINS, so a 500 in production left no line anywhere."""
    if fmt not in {"json", "text"}:
        raise ValueError("LOG_FORMAT must be json or text.")
    if level not in logging.getLevelNamesMapping():
        raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"()": TextFormatter},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": fmt,
            },
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # No handlers of their own: their records go up to the root's.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # Chatty libraries: WeasyPrint logs every layout step and page at INFO,
            # fontTools each font it subsets, axes its configuration at every start.
            **{name: {"level": QUIET} for name in ("weasyprint", "fontTools", "axes")},
        },
    }
