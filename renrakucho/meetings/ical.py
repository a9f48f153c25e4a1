"""A user's meetings as an iCalendar feed (RFC 5545), written by hand: CRLF line ends,
lines folded at 75 octets (never inside a UTF-8 character), TEXT values escaped.

Privacy rule: an event says what kind of meeting it is, when, and where to join; a
resident-team meeting is named by its kind only (「退院時カンファレンス」), never by its title,
and no event carries agenda, purpose or minutes. The meeting page behind the URL checks
access again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from .models import Meeting

PRODID = "-//renrakucho//meetings//JA"


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuation lines start with one space, which
    counts towards their 75), never splitting a multi-byte character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def event_lines(meeting: Meeting, *, url: str, declined: bool = False) -> list[str]:
    status = "CANCELLED" if meeting.is_cancelled else ("TENTATIVE" if declined else "CONFIRMED")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting.uuid}@renrakucho",
        f"DTSTAMP:{utc(meeting.updated_at)}",
        f"DTSTART:{utc(meeting.starts_at)}",
        f"DTEND:{utc(meeting.ends_at)}",
        f"SUMMARY:{escape_text(meeting.public_label())}",
        f"STATUS:{status}",
        f"URL:{url}",
    ]
    description = url
    if meeting.join_url and not meeting.is_cancelled:
        lines.append(f"LOCATION:{escape_text(meeting.join_url)}")
        description = f"{url}\n{meeting.join_url}"
    lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[tuple[Meeting, str, bool]], *, name: str) -> str:
    """The VCALENDAR of (meeting, page URL, declined) triples."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:Asia/Tokyo",
    ]
    for meeting, url, declined in events:
        lines += event_lines(meeting, url=url, declined=declined)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
