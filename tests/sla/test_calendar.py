"""Business calendar: real holiday schedules (China, Madrid), DST, edges, and invariants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daemon.config import CalendarSettings
from daemon.sla.calendar import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
MADRID = ZoneInfo("Europe/Madrid")

CN = BusinessCalendar("Asia/Shanghai", country="CN")
MD = BusinessCalendar("Europe/Madrid", country="ES", subdivision="MD")


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


# ----- construction -----


def test_from_settings_uses_every_field():
    cal = BusinessCalendar.from_settings(
        CalendarSettings(
            country="ES",
            subdivision="MD",
            working_days=["mon", "tue", "wed", "thu", "fri", "sat"],
            day_start=time(8, 30),
            day_end=time(14, 0),
            extra_days_off=[date(2026, 5, 15)],
            extra_working_days=[date(2026, 10, 12)],
        ),
        "Europe/Madrid",
    )
    assert cal.is_working_day(date(2026, 5, 16))  # Saturday in a six-day week
    assert not cal.is_working_day(date(2026, 5, 15))  # San Isidro as an extra day off
    assert cal.is_working_day(date(2026, 10, 12))  # holiday overridden by config
    assert cal.add_working_days(local(MADRID, 2026, 5, 14, 9), 1) == local(MADRID, 2026, 5, 16, 14)


def test_default_settings_are_china():
    cal = BusinessCalendar.from_settings(CalendarSettings(), "Asia/Shanghai")
    assert cal.is_makeup_day(date(2026, 2, 14)) and cal.is_working_day(date(2026, 2, 14))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"time_zone": "Mars/Olympus"},
        {"country": "XX"},
        {"country": "ES", "subdivision": "ZZ"},
        {"working_days": []},
        {"working_days": ["mon", "funday"]},
        {"day_start": time(18), "day_end": time(9)},
        {"extra_days_off": [date(2026, 1, 5)], "extra_working_days": [date(2026, 1, 5)]},
    ],
)
def test_bad_calendars_are_refused_at_construction(kwargs):
    with pytest.raises(ValueError):
        BusinessCalendar(**kwargs)


def test_naive_datetimes_and_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        CN.add_working_days(datetime(2026, 3, 2, 10), 1)
    with pytest.raises(ValueError):
        CN.add_working_days(local(SHANGHAI, 2026, 3, 2, 10), -1)
    with pytest.raises(ValueError):
        CN.add_business_hours(local(SHANGHAI, 2026, 3, 2, 10), -0.5)


def test_results_are_utc_whatever_the_input_zone():
    start = datetime(2026, 3, 2, 1, 0, tzinfo=ZoneInfo("America/New_York"))  # 14:00 in Shanghai
    result = CN.add_business_hours(start, 1)
    assert result.tzinfo is UTC
    assert result == local(SHANGHAI, 2026, 3, 2, 15)


def test_any_year_works():
    assert not CN.is_working_day(date(2099, 10, 1))
    assert not MD.is_working_day(date(2010, 12, 8))
    assert not CN.is_working_day(date(2100, 1, 1))
    assert CN.next_working_day(date(2100, 12, 31)) == date(2101, 1, 3)  # Monday


def test_years_without_holiday_data_fall_back_to_the_working_week(caplog):
    cal = BusinessCalendar("Europe/Madrid", country="ES", subdivision="MD")
    assert cal.is_working_day(date(1995, 12, 25))  # a Monday; the package starts in 2008
    assert cal.is_working_day(date(1995, 12, 26))
    assert not cal.is_working_day(date(1995, 12, 23))  # Saturday
    assert [r.getMessage() for r in caplog.records] == [
        "no public holidays for ES in 1995: only the working week and config apply"
    ]


# ----- China: Spring Festival 2026 (15-23 Feb off; Sat 14 and Sat 28 Feb are make-up days) -----


def test_spring_festival_2026_days_off_and_makeup_saturdays():
    assert not any(CN.is_working_day(d) for d in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert CN.is_holiday(date(2026, 2, 17)) and CN.is_holiday(date(2026, 2, 20))
    assert CN.is_makeup_day(date(2026, 2, 14)) and CN.is_makeup_day(date(2026, 2, 28))
    assert CN.is_working_day(date(2026, 2, 14)) and CN.is_working_day(date(2026, 2, 28))
    assert not CN.is_working_day(date(2026, 2, 7))  # an ordinary Saturday
    assert CN.next_working_day(date(2026, 2, 13)) == date(2026, 2, 14)
    assert CN.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)


def test_spring_festival_2026_deadlines_jump_the_holiday():
    # Sat 14 Feb is the last working day before the holiday; 3 working days: 24, 25, 26 Feb.
    assert CN.add_working_days(local(SHANGHAI, 2026, 2, 14, 10), 3) == local(
        SHANGHAI, 2026, 2, 26, 18
    )
    assert CN.add_working_days(local(SHANGHAI, 2026, 2, 13, 10), 1) == local(
        SHANGHAI, 2026, 2, 14, 18
    )
    # The make-up Saturday 28 Feb counts: Thu 26 + 2 = Sat 28.
    assert CN.add_working_days(local(SHANGHAI, 2026, 2, 26, 10), 2) == local(
        SHANGHAI, 2026, 2, 28, 18
    )
    # 4 business hours from Sat 14 Feb 16:00: 2 h that day, 2 h after the holiday.
    assert CN.add_business_hours(local(SHANGHAI, 2026, 2, 14, 16), 4) == local(
        SHANGHAI, 2026, 2, 24, 11
    )
    # 18:00 in Shanghai is 10:00 UTC.
    assert CN.add_working_days(local(SHANGHAI, 2026, 2, 14, 10), 3) == datetime(
        2026, 2, 26, 10, tzinfo=UTC
    )


def test_without_country_the_makeup_saturday_is_a_day_off():
    plain = BusinessCalendar("Asia/Shanghai")
    assert not plain.is_working_day(date(2026, 2, 14))
    assert plain.is_working_day(date(2026, 2, 17))


def test_config_overrides_holidays_and_makeup_days():
    cal = BusinessCalendar(
        "Asia/Shanghai",
        country="CN",
        extra_days_off=[date(2026, 2, 28)],
        extra_working_days=[date(2026, 2, 18)],
    )
    assert not cal.is_working_day(date(2026, 2, 28))
    assert cal.is_working_day(date(2026, 2, 18))
    assert cal.add_working_days(local(SHANGHAI, 2026, 2, 14, 10), 1) == local(
        SHANGHAI, 2026, 2, 18, 18
    )


# ----- China: National Day golden week 2026 (1-7 Oct off; Sun 20 Sep, Sat 10 Oct make-up) -----


def test_national_day_2026():
    assert not any(CN.is_working_day(d) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert not CN.is_working_day(date(2026, 9, 25))  # Mid-Autumn Festival, a Friday
    assert CN.is_working_day(date(2026, 9, 20)) and CN.is_working_day(date(2026, 10, 10))
    assert CN.next_working_day(date(2026, 9, 18)) == date(2026, 9, 20)  # make-up Sunday
    assert CN.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    # Three working days after 30 Sep: 8, 9 and (make-up Saturday) 10 Oct.
    assert CN.add_working_days(local(SHANGHAI, 2026, 9, 30, 12), 3) == local(
        SHANGHAI, 2026, 10, 10, 18
    )
    assert CN.add_business_hours(local(SHANGHAI, 2026, 9, 30, 17), 4) == local(
        SHANGHAI, 2026, 10, 8, 12
    )


# ----- Spain, Comunidad de Madrid -----


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 6),  # Epiphany
        date(2026, 4, 2),  # Maundy Thursday (Madrid)
        date(2026, 4, 3),  # Good Friday
        date(2026, 5, 1),  # Labour Day
        date(2026, 5, 2),  # Comunidad de Madrid (a Saturday in 2026)
        date(2026, 10, 12),  # Fiesta Nacional
        date(2026, 11, 2),  # Monday after All Saints
        date(2026, 12, 7),  # Monday after Constitution Day (6 Dec is a Sunday)
        date(2026, 12, 8),  # Immaculate Conception
        date(2026, 12, 25),  # Christmas
        date(2027, 5, 3),  # Monday after Comunidad de Madrid (2 May 2027 is a Sunday)
    ],
)
def test_madrid_holidays(day):
    assert MD.is_holiday(day)
    assert not MD.is_working_day(day)


def test_madrid_and_catalonia_differ():
    ct = BusinessCalendar("Europe/Madrid", country="ES", subdivision="CT")
    assert ct.is_working_day(date(2027, 5, 3)) and ct.is_working_day(date(2026, 4, 2))
    assert not ct.is_working_day(date(2026, 4, 6))  # Easter Monday in Catalonia
    assert MD.is_working_day(date(2026, 4, 6))
    assert not ct.is_working_day(date(2026, 9, 11)) and MD.is_working_day(date(2026, 9, 11))


def test_san_isidro_is_a_city_holiday_the_config_must_add():
    # The holidays package knows the region (MD), not the city: 15 May is a local holiday.
    assert MD.is_working_day(date(2026, 5, 15))
    city = BusinessCalendar(
        "Europe/Madrid", country="ES", subdivision="MD", extra_days_off=[date(2026, 5, 15)]
    )
    assert city.add_working_days(local(MADRID, 2026, 5, 14, 10), 1) == local(
        MADRID, 2026, 5, 18, 18
    )


def test_december_bridge_in_madrid():
    # Fri 4 Dec 2026 + 1 skips the weekend, Mon 7 and Tue 8 December.
    assert MD.add_working_days(local(MADRID, 2026, 12, 4, 10), 1) == local(MADRID, 2026, 12, 9, 18)


def test_year_end_in_spain():
    start = local(MADRID, 2026, 12, 30, 10)
    # 31 Dec, (1 Jan off), 4 Jan, 5 Jan ...
    assert MD.add_working_days(start, 3) == local(MADRID, 2027, 1, 5, 18)
    # ... (6 Jan off), 7 Jan.
    assert MD.add_working_days(start, 4) == local(MADRID, 2027, 1, 7, 18)
    assert MD.add_working_days(start, 4) == datetime(2027, 1, 7, 17, tzinfo=UTC)


# ----- DST in Europe/Madrid: 29 March and 25 October 2026 -----


def test_business_hours_across_spring_forward():
    start = local(MADRID, 2026, 3, 27, 16)  # Friday 16:00 CET = 15:00 UTC
    assert start == datetime(2026, 3, 27, 15, tzinfo=UTC)
    # 2 h on Friday, 2 h on Monday from 09:00 CEST (07:00 UTC).
    assert MD.add_business_hours(start, 4) == datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert MD.add_working_days(start, 1) == datetime(2026, 3, 30, 16, tzinfo=UTC)
    monday_close = local(MADRID, 2026, 3, 30, 18)
    assert MD.business_seconds_between(local(MADRID, 2026, 3, 27, 9), monday_close) == 18 * 3600


def test_business_hours_across_fall_back():
    start = local(MADRID, 2026, 10, 23, 16)  # Friday 16:00 CEST = 14:00 UTC
    assert start == datetime(2026, 10, 23, 14, tzinfo=UTC)
    assert MD.add_business_hours(start, 4) == datetime(2026, 10, 26, 10, tzinfo=UTC)
    assert MD.add_working_days(start, 1) == datetime(2026, 10, 26, 17, tzinfo=UTC)


def test_business_time_is_real_time_when_hours_span_the_change():
    # A night shift on the change day: 01:00 CET to 05:00 CEST is three real hours.
    cal = BusinessCalendar(
        "Europe/Madrid", working_days=["sun"], day_start=time(1), day_end=time(5)
    )
    opening, closing = cal.opening_hours(date(2026, 3, 29))
    assert closing - opening == timedelta(hours=3)
    assert cal.business_seconds_between(opening, closing) == 3 * 3600
    assert cal.add_business_hours(opening, 3) == closing


# ----- edges of the business day and the week (plain Monday-Friday 9-18 in Madrid) -----

PLAIN = BusinessCalendar("Europe/Madrid")


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ((2026, 6, 5, 17), 4, (2026, 6, 8, 12)),  # Friday 17:00 + 4 h = Monday 12:00
        ((2026, 6, 8, 9), 1, (2026, 6, 8, 10)),  # exactly at opening
        ((2026, 6, 8, 18), 1, (2026, 6, 9, 10)),  # exactly at closing
        ((2026, 6, 8, 18), 0, (2026, 6, 8, 18)),  # closing is still business time
        ((2026, 6, 8, 7), 1, (2026, 6, 8, 10)),  # before opening
        ((2026, 6, 8, 14), 4, (2026, 6, 8, 18)),  # lands exactly at closing
        ((2026, 6, 6, 11), 0, (2026, 6, 8, 9)),  # Saturday starts at Monday's opening
        ((2026, 6, 5, 9), 45, (2026, 6, 11, 18)),  # five full days
        ((2026, 6, 8, 10), 0.25, (2026, 6, 8, 10, 15)),
    ],
)
def test_business_hours_edges(start, hours, expected):
    assert PLAIN.add_business_hours(local(MADRID, *start), hours) == local(MADRID, *expected)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ((2026, 6, 8, 10), 0, (2026, 6, 8, 18)),  # working day, still open
        ((2026, 6, 8, 18), 0, (2026, 6, 9, 18)),  # already closed
        ((2026, 6, 6, 10), 0, (2026, 6, 8, 18)),  # Saturday
        ((2026, 6, 8, 23), 1, (2026, 6, 9, 18)),  # late arrival still counts from the date
        ((2026, 6, 6, 10), 1, (2026, 6, 8, 18)),  # Saturday + 1 = Monday
        ((2026, 6, 5, 8), 1, (2026, 6, 8, 18)),  # Friday + 1 = Monday
        ((2026, 6, 5, 8), 7, (2026, 6, 16, 18)),
    ],
)
def test_working_days_edges(start, n, expected):
    assert PLAIN.add_working_days(local(MADRID, *start), n) == local(MADRID, *expected)


def test_business_seconds_between_edges():
    monday9 = local(MADRID, 2026, 6, 8, 9)
    assert PLAIN.business_seconds_between(monday9, monday9) == 0
    monday18 = local(MADRID, 2026, 6, 8, 18)
    assert PLAIN.business_seconds_between(monday18, monday9 + timedelta(1)) == 0
    assert PLAIN.business_seconds_between(local(MADRID, 2026, 6, 5, 17), monday9) == 3600
    assert PLAIN.business_seconds_between(monday9, local(MADRID, 2026, 6, 5, 17)) == -3600
    assert not PLAIN.is_business_time(local(MADRID, 2026, 6, 6, 12))
    assert PLAIN.is_business_time(monday9) and PLAIN.is_business_time(monday9 + timedelta(hours=9))
    assert not PLAIN.is_business_time(monday9 - timedelta(seconds=1))


def test_paused_clock_shifts_a_deadline_by_the_paused_business_time():
    deadline = PLAIN.add_working_days(local(MADRID, 2026, 6, 8, 10), 3)  # Thu 11 Jun 18:00
    paused = PLAIN.business_seconds_between(
        local(MADRID, 2026, 6, 9, 17), local(MADRID, 2026, 6, 10, 11)
    )
    assert paused == 3 * 3600
    assert PLAIN.add_business_time(deadline, timedelta(seconds=paused)) == local(
        MADRID, 2026, 6, 12, 12
    )


# ----- properties -----

CALENDARS = st.sampled_from([CN, MD, PLAIN])
INSTANTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
HOURS = st.floats(min_value=0, max_value=120, allow_nan=False, allow_infinity=False)
PROPERTY = settings(max_examples=200, deadline=None)


def count_working_days(cal: BusinessCalendar, after: date, until: date) -> int:
    return sum(cal.is_working_day(d) for d in days(after + timedelta(1), until))


@PROPERTY
@given(cal=CALENDARS, start=INSTANTS, n=st.integers(min_value=0, max_value=40))
def test_working_days_land_at_close_of_a_working_day(cal, start, n):
    result = cal.add_working_days(start, n)
    there = result.astimezone(cal.tz)
    assert result.tzinfo is UTC
    assert there.timetz().replace(tzinfo=None) == cal.day_end
    assert cal.is_working_day(there.date())
    assert result > start
    following = cal.add_working_days(start, n + 1)
    # 0 and 1 coincide when the start date is closed (day off, or after closing time).
    assert following > result if n >= 1 else following >= result
    if n >= 1:
        assert count_working_days(cal, start.astimezone(cal.tz).date(), there.date()) == n


@PROPERTY
@given(cal=CALENDARS, start=INSTANTS, h1=HOURS, h2=HOURS)
def test_business_hours_add_up(cal, start, h1, h2):
    whole = cal.add_business_hours(start, h1 + h2)
    stepwise = cal.add_business_hours(cal.add_business_hours(start, h1), h2)
    assert abs(whole - stepwise) <= timedelta(milliseconds=1)
    assert cal.is_business_time(whole)
    assert whole >= start


@PROPERTY
@given(cal=CALENDARS, start=INSTANTS, h=HOURS)
def test_business_seconds_between_inverts_add_business_hours(cal, start, h):
    end = cal.add_business_hours(start, h)
    assert cal.business_seconds_between(start, end) == pytest.approx(h * 3600, abs=1e-3)


SPANS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))


@PROPERTY
@given(cal=CALENDARS, a=INSTANTS, gap1=SPANS, gap2=SPANS)
def test_business_seconds_between_is_additive(cal, a, gap1, gap2):
    b, c = a + gap1, a + gap1 + gap2
    first, second = cal.business_seconds_between(a, b), cal.business_seconds_between(b, c)
    assert first >= 0 and second >= 0
    assert cal.business_seconds_between(a, c) == pytest.approx(first + second, abs=1e-3)
    assert cal.business_seconds_between(c, a) == -cal.business_seconds_between(a, c)
