"""The reply promise's calendar: open hours of the agency, weekends and public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from resolvers.agency.opening_hours import DEFAULT_OPENING_HOURS, Span
from services.working_hours import add_working_hours, is_french_public_holiday
from tests.factories import PARIS


def paris(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def due(start: datetime, hours: float, spans=DEFAULT_OPENING_HOURS) -> datetime:
    result = add_working_hours(start, hours, spans, "Europe/Paris")
    assert result.tzinfo is UTC
    return result.astimezone(PARIS)


def test_french_public_holidays_come_from_the_maintained_library():
    assert is_french_public_holiday(date(2026, 4, 6))  # Easter Monday
    assert is_french_public_holiday(date(2026, 7, 14))
    assert is_french_public_holiday(date(2027, 5, 17))  # Whit Monday, computed
    assert not is_french_public_holiday(date(2026, 4, 3))  # Good Friday: Alsace-Moselle only


def test_a_friday_evening_message_is_due_on_tuesday_afternoon():
    # Fri 18:00-19:00 (1 h), Sat 9-12 (3 h), Mon 8-19 (11 h), Tue 8:00 + 9 h.
    assert due(paris(2026, 11, 27, 18, 0), 24) == paris(2026, 12, 1, 17, 0)


def test_a_message_sent_on_sunday_counts_from_monday_opening():
    # Mon 11 h, Tue 11 h, Wed 8:00 + 2 h.
    assert due(paris(2026, 11, 29, 15, 0), 24) == paris(2026, 12, 2, 10, 0)


def test_easter_monday_is_skipped():
    # Fri 3 April 18:00: 1 h, Sat 3 h, Easter Monday closed, Tue 11 h, Wed 8:00 + 9 h.
    assert due(paris(2026, 4, 3, 18, 0), 24) == paris(2026, 4, 8, 17, 0)


def test_bastille_day_is_skipped():
    # Mon 13 July 10:00: 9 h, Tuesday 14 July closed, Wed 11 h, Thu 8:00 + 4 h.
    assert due(paris(2026, 7, 13, 10, 0), 24) == paris(2026, 7, 16, 12, 0)


def test_a_saturday_morning_span_counts_and_the_rest_of_the_weekend_does_not():
    assert due(paris(2026, 11, 28, 10, 0), 5) == paris(2026, 11, 30, 11, 0)
    assert due(paris(2026, 11, 28, 13, 0), 1) == paris(2026, 11, 30, 9, 0)


def test_before_opening_the_count_starts_at_opening():
    assert due(paris(2026, 11, 30, 6, 30), 1) == paris(2026, 11, 30, 9, 0)


def test_the_end_of_a_span_is_a_valid_due_time():
    assert due(paris(2026, 11, 30, 8, 0), 11) == paris(2026, 11, 30, 19, 0)


def test_the_spring_daylight_saving_change_keeps_wall_clock_spans():
    # Clocks go forward on Sunday 29 March 2026. Fri 27 March 17:00 CET (16:00 UTC):
    # Fri 2 h, Sat 3 h, Mon 11 h, Tue 8:00 CEST + 8 h = 16:00 CEST = 14:00 UTC.
    result = add_working_hours(paris(2026, 3, 27, 17, 0), 24, DEFAULT_OPENING_HOURS, "Europe/Paris")
    assert result == datetime(2026, 3, 31, 14, 0, tzinfo=UTC)


def test_the_autumn_change_too():
    # Clocks go back on Sunday 25 October 2026: Fri 23 Oct 18:00 CEST, due Tue 27 17:00 CET.
    result = add_working_hours(
        paris(2026, 10, 23, 18, 0), 24, DEFAULT_OPENING_HOURS, "Europe/Paris"
    )
    assert result == datetime(2026, 10, 27, 16, 0, tzinfo=UTC)


def test_a_premium_promise_of_eight_hours():
    assert due(paris(2026, 11, 27, 18, 0), 8) == paris(2026, 11, 30, 12, 0)


def test_an_agency_with_a_lunch_break_and_no_saturday():
    spans = [
        *(Span(d, time(9), time(12)) for d in range(5)),
        *(Span(d, time(14), time(18)) for d in range(5)),
    ]
    # Mon 11:00: 1 h, 14-18 4 h, Tue 9-12 3 h -> 8 h ... Tue 14:00 + 2 h.
    assert due(paris(2026, 11, 30, 11, 0), 10, spans) == paris(2026, 12, 1, 16, 0)
    # Friday 17:00 + 2 h: 1 h on Friday, then Monday 9:00 + 1 h.
    assert due(paris(2026, 11, 27, 17, 0), 2, spans) == paris(2026, 11, 30, 10, 0)


def test_another_time_zone_uses_its_own_wall_clock():
    spans = [Span(d, time(8), time(17)) for d in range(5)]
    start = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # 8:00 in Martinique (UTC-4)
    result = add_working_hours(start, 9, spans, "America/Martinique")
    assert result == datetime(2026, 11, 30, 21, 0, tzinfo=UTC)


def test_no_opening_hours_falls_back_to_plain_hours():
    start = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert add_working_hours(start, 24, [], "Europe/Paris") == datetime(
        2026, 12, 1, 12, 0, tzinfo=UTC
    )


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="aware"):
        add_working_hours(datetime(2026, 11, 30, 12, 0), 1, DEFAULT_OPENING_HOURS, "Europe/Paris")
