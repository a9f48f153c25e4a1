import logging
from urllib.parse import urlsplit


class StripQueryString(logging.Filter):
    """Drops the query string from access-log lines: search terms (`?q=やまだ`) are personal
    data and must not reach the logs. Paths carry only UUIDs."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn.access logs (client, method, full_path, http_version, status).
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            args = list(record.args)
            if isinstance(args[2], str):
                args[2] = urlsplit(args[2]).path
                record.args = tuple(args)
        return True
