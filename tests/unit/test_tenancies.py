import pytest

from bot.errors import InputError
from bot.identify.tenancies import check_file, parse_handles, read_mapping


def test_handles_are_parsed_and_normalised():
    assert parse_handles("facebook:Tracey.H; x:@TraceyH") == (
        ("facebook", "tracey.h"),
        ("x", "traceyh"),
    )
    with pytest.raises(ValueError, match="platform:handle"):
        parse_handles("myspace:tracey")
    with pytest.raises(ValueError, match="characters a handle cannot have"):
        parse_handles("x:tr$cey!")


def test_bad_rows_are_reported_with_row_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "tenancy_ref,name,social_handles\n"
        "T-1,Ann,facebook:ann\n"
        ",Bob,\n"
        "T-1,Ann again,\n"
        "T-3,,\n"
        "T-4,Dee,tiktok:dee\n",
        encoding="utf-8",
    )
    rows, problems = check_file(path, read_mapping(None))
    assert [r.tenancy_ref for r in rows] == ["T-1"]
    assert problems == [
        "row 3: missing tenancy reference",
        "row 4: tenancy reference T-1 repeats row 2",
        "row 5: tenancy T-3 has no name",
        "row 6: tenancy T-4: social handle 'tiktok:dee' must be written platform:handle, "
        "with platform one of facebook, instagram, x, reddit",
    ]


def test_bad_encoding_names_the_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"tenancy_ref,name\nT-1,Ann\nT-2,Jos\xe9\n")
    with pytest.raises(InputError, match=r"line 3: not UTF-8"):
        check_file(path, read_mapping(None))


def test_mapping_renames_columns(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  tenancy_ref: Tenancy Reference\n  name: Lead Tenant\n")
    path = tmp_path / "t.csv"
    path.write_text("Tenancy Reference,Lead Tenant\nT-9,Zoe\n")
    rows, problems = check_file(path, read_mapping(mapping))
    assert problems == [] and rows[0].name == "Zoe"
    with pytest.raises(InputError, match="missing column"):
        check_file(path, read_mapping(None))
    mapping.write_text("columns:\n  nonsense: X\n")
    with pytest.raises(InputError, match="unknown field"):
        read_mapping(mapping)


def test_a_row_with_too_many_or_too_few_fields_is_refused_naming_it(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "tenancy_ref,name,vulnerability_notes,support_contact\n"
        'T-1,Ann,"deaf, needs BSL interpreter",Carer Jo 07700 900123\n'
        "T-2,Bob,deaf, needs BSL interpreter,Carer Jo 07700 900123\n"
        "T-3,Cat,hearing loss\n"
        "T-4,Dee,,\n",
        encoding="utf-8",
    )
    rows, problems = check_file(path, read_mapping(None))
    assert [r.tenancy_ref for r in rows] == ["T-1", "T-4"]
    assert rows[0].vulnerability_notes == "deaf, needs BSL interpreter"
    assert problems == [
        "row 3: 5 fields where the header has 4; a comma inside a field (a vulnerability "
        "note, say) needs the field in double quotes",
        "row 4: 3 fields where the header has 4; a comma inside a field (a vulnerability "
        "note, say) needs the field in double quotes",
    ]
