from datetime import date

from bot.dates.workdays import add_working_days, is_working_day, working_days_between


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day observed
    assert is_working_day(date(2026, 12, 29))


def test_twenty_working_days_over_christmas_in_england_and_scotland():
    # Derby Homes 12.2: 20 working days. England: 25, 28 Dec and 1 Jan are bank holidays.
    assert add_working_days(date(2026, 12, 18), 20) == date(2027, 1, 20)
    # Scotland also takes 2 January (a Saturday in 2027, so Monday 4 January).
    assert add_working_days(date(2026, 12, 18), 20, "scotland") == date(2027, 1, 21)


def test_st_andrews_day_is_a_holiday_only_in_scotland():
    assert is_working_day(date(2027, 11, 30))
    assert not is_working_day(date(2027, 11, 30), "scotland")


def test_counting_between_dates():
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 27)) == 5
