"""A configured member of staff's personal details, published: harassment, whatever else."""

import pytest

from filters.base import Category
from filters.normalise import fold
from filters.staff import StaffDetails

STAFF = StaffDetails(["Dawn Pritchard", "Marcus Webb"])


@pytest.mark.parametrize(
    "text",
    [
        "Dawn Pritchard's mobile is 07700 900461, ring her all night",
        "Marcus lives at 27 Sycamore Rise, go and knock",
        "email dawn on dawnp1975@hotmail.co.uk, she ignores the work one",
        "Marcus Webb drives a silver Astra, AB12 CDE, parks on Mill Lane",
    ],
)
def test_a_staff_name_beside_a_personal_detail_is_harassment(text):
    [finding] = STAFF.check(fold(text))
    assert finding.category is Category.HARASSMENT and finding.rule == "harassment:staff_details"
    marked = [text[s.start : s.end].lower() for s in finding.spans]
    assert any(m.startswith(("dawn", "marcus")) for m in marked)


@pytest.mark.parametrize(
    "text",
    [
        "Dawn said to ring the office on 0300 123 4567",
        "Marcus gave me the repairs line, 0113 496 0000 (customer services)",
        "I live at 14 Alder Close, call me on 07700 900123 about my boiler",  # my own details
        "Dawn Pritchard was brilliant, thank you",
        "ring 07700 900123 about the boiler",
    ],
)
def test_office_contacts_own_details_and_no_staff_name_are_not(text):
    assert STAFF.check(fold(text)) == []


def test_no_staff_configured_finds_nothing():
    assert StaffDetails([]).check(fold("Dawn lives at 27 Sycamore Rise")) == []
