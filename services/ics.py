"""iCalendar (RFC 5545) rendering of visits, for calendar apps that subscribe to a feed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event


@dataclass(frozen=True)
class FeedItem:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str
    status: str  # SCHEDULED, IN_PROGRESS, COMPLETED, CANCELLED, MISSED
    description: str


def render(name: str, items: Iterable[FeedItem], now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Passage//Interventions//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("summary", item.summary)
        event.add("location", item.location)
        event.add("description", item.description)
        event.add("status", "CANCELLED" if item.status == "CANCELLED" else "CONFIRMED")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
