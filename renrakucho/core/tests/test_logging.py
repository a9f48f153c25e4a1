import logging

from django.conf import settings

from renrakucho.core.logging import StripQueryString


def test_access_log_lines_lose_their_query_string():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/residents/?q=%E3%82%84%E3%81%BE%E3%81%A0", "1.1", 200), None,
    )  # fmt: skip
    assert StripQueryString().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /residents/ HTTP/1.1" 200'


def test_uvicorn_access_logger_uses_the_filter():
    assert "strip_query" in settings.LOGGING["loggers"]["uvicorn.access"]["filters"]
    assert any(isinstance(f, StripQueryString) for f in logging.getLogger("uvicorn.access").filters)
