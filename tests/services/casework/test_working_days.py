import datetime as dt

from services.casework.working_days import add_working_days, is_working_day, working_days_between


def test_weekends_and_thai_public_holidays_are_not_working_days():
    assert not is_working_day(dt.date(2026, 12, 5))  # Saturday, Father's Day
    assert not is_working_day(dt.date(2026, 12, 7))  # substitution day for 5 December
    assert not is_working_day(dt.date(2026, 12, 10))  # Constitution Day
    assert is_working_day(dt.date(2026, 12, 8))


def test_seven_working_days_skip_weekends_and_holidays():
    # Public Health Act s.48 clock filed on Wednesday 2 Dec 2026: 3,4 | 8,9 | 11 | 14,15.
    assert add_working_days(dt.date(2026, 12, 2), 7) == dt.date(2026, 12, 15)
    assert working_days_between(dt.date(2026, 12, 2), dt.date(2026, 12, 15)) == 7


def test_new_year_bridge():
    assert add_working_days(dt.date(2026, 12, 30), 1) == dt.date(2027, 1, 4)
