"""Fixtures of the notice tests (the shared personas come from renrakucho/conftest)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from renrakucho.notices import services
from renrakucho.notices.selectors import Segment
from renrakucho.testing.personas import make_user

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# Queries every signed-in page runs outside the view: session and user (2); login policy
# middleware: the user's Network links (1), a confirmed TOTP device (1), a Network requiring
# two-factor login (1); navigation context processors: Network links (1), facility-admin
# check (1), unread notifications (1), unread notices (1).
SIGNED_IN_OVERHEAD = 9


def pdf_upload(name="厚生労働省通知.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def more_staff(personas):
    """more_staff(n, facility=None, occupation="home_helper") → n active professionals of
    that facility (default: Network A's visiting nursing station)."""
    counter = {"n": 0}

    def make(n, *, facility=None, occupation="home_helper"):
        facility = facility or personas.nursing_a
        made = []
        for _ in range(n):
            counter["n"] += 1
            i = counter["n"]
            made.append(
                make_user(f"staff-{i}", f"職員 {i:03d}", f"ショクイン {i}", occupation, facility)
            )
        return made

    return make


@pytest.fixture
def publish(personas):
    """publish(title=…, segment=Segment(), confirmation_required=False, actor=operator_a,
    network=net_a, attachments=()) → Notice, through the service."""

    def run(title="介護報酬改定のお知らせ", **kwargs):
        return services.notice_publish(
            actor=kwargs.pop("actor", personas.operator_a),
            network=kwargs.pop("network", personas.net_a),
            title=title,
            body=kwargs.pop(
                "body", "令和6年度の介護報酬改定について、添付の通知をご確認ください。"
            ),
            segment=kwargs.pop("segment", Segment()),
            **kwargs,
        )

    return run


@pytest.fixture
def count_queries():
    """count_queries(client, url) → (response, number of queries the request ran)."""

    def run(client, url, method="get", **kwargs):
        with CaptureQueriesContext(connection) as context:
            response = getattr(client, method)(url, **kwargs)
        return response, len(context.captured_queries)

    return run
