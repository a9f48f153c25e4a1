"""Chat in a real browser (Playwright, Debian's Chromium) against the real ASGI application
served by uvicorn in a thread (websockets included; pytest-django's live_server is WSGI only;
fixtures of renrakucho/testing/browser.py).

Two people chat: messages arrive without reload, 既読 updates, and after the server is
stopped and started again on the same port (every websocket cut), the conversation catches
up: the messages sent meanwhile appear exactly once, in seq order, with no gap.
"""

from __future__ import annotations

import time

import pytest

from renrakucho.chat import services
from renrakucho.testing.browser import csp_refusals, outside_the_browser, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def send_outside(author, conversation, body):
    """Through the service, from inside a scenario (out of Playwright's thread)."""

    def write():
        conversation.refresh_from_db()
        services.message_send(actor=author, conversation=conversation, body=body)

    outside_the_browser(write)


def seqs(page) -> list[int]:
    return [
        int(value)
        for value in page.eval_on_selector_all(
            "#chat-messages .chat-msg", "items => items.map(item => item.dataset.seq)"
        )
    ]


def wait_for_seqs(page, expected: list[int], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seqs(page) == expected:
            return
        time.sleep(0.1)
    assert seqs(page) == expected


def test_two_people_chat_live_and_catch_up_after_the_server_restarts(
    personas, client_for, asgi_server, in_browser
):
    server = asgi_server
    conversation, _ = services.conversation_create(actor=personas.nurse, members=[personas.doctor])
    url = f"{server.url}/chat/{conversation.uuid}/"
    doctor_client = client_for(personas.doctor)
    nurse_client = client_for(personas.nurse)

    def scenario(browser):
        doctor = signed_in_page(browser, server.url, doctor_client)
        nurse = signed_in_page(browser, server.url, nurse_client)
        refused = csp_refusals(doctor, nurse)
        doctor.goto(url)
        nurse.goto(url)
        doctor.locator('#chat[data-realtime="open"]').wait_for()
        nurse.locator('#chat[data-realtime="open"]').wait_for()

        # The nurse sends; the doctor's open page shows it without reload, within a second.
        nurse.fill("#composer textarea[name=body]", "先生、明日の往診の時間を教えてください。")
        started = time.monotonic()
        nurse.click("#composer button[type=submit]")
        doctor.locator("#seq-1").get_by_text("明日の往診の時間").wait_for(timeout=5_000)
        assert time.monotonic() - started < 3
        # Her composer is empty again and her message is on her page once.
        wait_for_seqs(nurse, [1])
        assert nurse.input_value("#composer textarea[name=body]") == ""

        # The doctor's page read it: 既読 1 appears on the nurse's page by itself.
        nurse.locator("#seq-1 .chat-read").get_by_text("既読 1").wait_for(timeout=5_000)

        doctor.fill("#composer textarea[name=body]", "14時ごろ伺います。")
        doctor.click("#composer button[type=submit]")
        nurse.locator("#seq-2").get_by_text("14時ごろ伺います。").wait_for(timeout=5_000)
        doctor.locator("#seq-2 .chat-read").get_by_text("既読 1").wait_for(timeout=5_000)

        # The server goes away: every socket is cut.
        server.stop()
        doctor.locator('#chat[data-realtime="closed"]').wait_for()
        nurse.locator('#chat[data-realtime="closed"]').wait_for()
        for body in ("1件目（切断中）", "2件目（切断中）", "3件目（切断中）"):
            send_outside(personas.nurse, conversation, body)
        server.start()

        # Both pages catch up: 3, 4, 5 exactly once, in order, no gap.
        wait_for_seqs(doctor, [1, 2, 3, 4, 5])
        wait_for_seqs(nurse, [1, 2, 3, 4, 5])
        assert doctor.locator("#seq-5").inner_text().count("3件目（切断中）") == 1
        doctor.locator('#chat[data-realtime="open"]').wait_for(timeout=30_000)

        # Live again after the reconnection, still without duplicates.
        nurse.locator('#chat[data-realtime="open"]').wait_for(timeout=30_000)
        nurse.fill("#composer textarea[name=body]", "再接続後のメッセージです。")
        nurse.click("#composer button[type=submit]")
        doctor.locator("#seq-6").get_by_text("再接続後のメッセージです。").wait_for(timeout=5_000)
        wait_for_seqs(doctor, [1, 2, 3, 4, 5, 6])
        wait_for_seqs(nurse, [1, 2, 3, 4, 5, 6])
        nurse.locator("#seq-6 .chat-read").get_by_text("既読 1").wait_for(timeout=5_000)
        assert not refused, refused

    in_browser(scenario)


def test_without_websockets_the_page_polls_and_scrolls_back(
    personas, client_for, asgi_server_factory, in_browser
):
    from .conftest import bulk_messages

    # Refusing every websocket, as a proxy that does not pass them would.
    server = asgi_server_factory(websockets=False)
    conversation, _ = services.conversation_create(actor=personas.nurse, members=[personas.doctor])
    bulk_messages(conversation, [personas.nurse, personas.doctor], 45)
    url = f"{server.url}/chat/{conversation.uuid}/"
    doctor_client = client_for(personas.doctor)

    def scenario(browser):
        doctor = signed_in_page(browser, server.url, doctor_client)
        refused = csp_refusals(doctor)
        doctor.goto(url)
        wait_for_seqs(doctor, list(range(16, 46)))
        # The socket is refused; the page says so and polls instead.
        doctor.locator("[data-chat-status]").get_by_text("接続が切れています").wait_for()
        send_outside(personas.nurse, conversation, "ポーリングで届くメッセージ")
        send_outside(personas.nurse, conversation, "もう1件")
        doctor.locator("#seq-47").get_by_text("もう1件").wait_for(timeout=10_000)
        wait_for_seqs(doctor, list(range(16, 48)))
        # Scrolling back to the top loads the earlier messages, once each, in order.
        doctor.locator("[data-chat-earlier]").scroll_into_view_if_needed()
        wait_for_seqs(doctor, list(range(1, 48)))
        assert doctor.locator("[data-chat-earlier]").count() == 0
        assert not refused, refused

    in_browser(scenario)
