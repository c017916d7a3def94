"""NIK, the 16-digit national ID (kotaku_pwa/nik.py): what its digits say and which NIKs are refused."""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kotaku_pwa.nik import ADULT_AGE, PROVINCES, Nik, NikError, age_on, parse, problems
from tests.factories import nik

ON = date(2021, 4, 16)  # the day the record was made


# --- valid NIKs -------------------------------------------------------------------------------------


def test_parses_region_birth_date_gender_and_serial():
    assert parse("5271051203850001", ON) == Nik(
        region="527105", birth_date=date(1985, 3, 12), gender="L", serial="0001"
    )


def test_women_have_day_plus_40():
    parsed = parse("5271055203850123", ON)
    assert parsed.gender == "P"
    assert parsed.birth_date == date(1985, 3, 12)
    assert parsed.serial == "0123"


@pytest.mark.parametrize(
    ("digits", "gender", "born"),
    [
        ("010180", "L", date(1980, 1, 1)),
        ("310180", "L", date(1980, 1, 31)),
        ("410180", "P", date(1980, 1, 1)),  # 1 + 40
        ("711280", "P", date(1980, 12, 31)),  # 31 + 40
        ("290200", "L", date(2000, 2, 29)),  # 2000 was a leap year
        ("690200", "P", date(2000, 2, 29)),
    ],
)
def test_day_and_gender_edges(digits, gender, born):
    parsed = parse(f"527105{digits}0001", ON)
    assert (parsed.gender, parsed.birth_date) == (gender, born)


@pytest.mark.parametrize(
    ("yy", "year"),
    [
        ("05", 2005),
        ("00", 2000),
        ("20", 2020),
        ("22", 1922),  # 2022 would be after the record day
        ("30", 1930),
        ("85", 1985),
        ("99", 1999),
    ],
)
def test_two_digit_year_is_the_most_recent_not_after_the_record_day(yy, year):
    assert parse(f"5271050106{yy}0001", ON).birth_date == date(year, 6, 1)


@pytest.mark.parametrize(
    ("ddmm", "born"),
    [
        ("1504", date(2021, 4, 15)),  # the day before: this century
        ("1604", date(2021, 4, 16)),  # the record day itself is not after it
        ("1704", date(1921, 4, 17)),  # the day after would be in the future: a century earlier
        ("0105", date(1921, 5, 1)),
        ("3103", date(2021, 3, 31)),
    ],
)
def test_year_of_the_record_day_on_the_same_day_and_month(ddmm, born):
    assert parse(f"527105{ddmm}210001", ON).birth_date == born


def test_year_depends_on_the_record_day():
    number = "5271050106300001"
    assert parse(number, date(2021, 4, 16)).birth_date == date(1930, 6, 1)
    assert parse(number, date(2030, 6, 1)).birth_date == date(2030, 6, 1)
    assert parse(number, date(2030, 5, 31)).birth_date == date(1930, 6, 1)


def test_spaces_are_not_digits():
    with pytest.raises(NikError):
        parse("5271 0512 0385 0001", ON)


# --- invalid NIKs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "",
        "527105120385001",  # 15 digits
        "52710512038500011",  # 17 digits
        "5271051203850001\n",
        " 5271051203850001",
        "52710512038500a1",
        "5271O51203850001",  # a letter O
        "527105-203850001",
        "+527105120385001",
        "٥٢٧١٠٥١٢٠٣٨٥٠٠٠١",  # Arabic-Indic digits are not the 16 angka of a NIK
        "５２７１０５１２０３８５０００１",  # full-width digits
    ],
)
def test_only_16_ascii_digits(number):
    with pytest.raises(NikError, match="16 angka"):
        parse(number, ON)


@pytest.mark.parametrize("value", [None, 5271051203850001, b"5271051203850001", ["5271051203850001"]])
def test_not_a_string(value):
    with pytest.raises(NikError):
        parse(value, ON)


@pytest.mark.parametrize("province", ["00", "10", "20", "22", "37", "50", "54", "66", "77", "83", "97", "99"])
def test_unknown_province(province):
    with pytest.raises(NikError, match="provinsi"):
        parse(f"{province}71051203850001", ON)


@pytest.mark.parametrize("province", sorted(PROVINCES))
def test_every_known_province_parses(province):
    assert parse(f"{province}71051203850001", ON).region == f"{province}7105"


@pytest.mark.parametrize("region", ["520005", "527100", "110000"])
def test_zero_kabupaten_or_kecamatan(region):
    with pytest.raises(NikError, match="kabupaten/kota atau kecamatan"):
        parse(f"{region}1203850001", ON)


@pytest.mark.parametrize("day", [0, *range(32, 41), 72, 80, 99])
def test_impossible_day(day):
    with pytest.raises(NikError, match="Tanggal lahir"):
        parse(f"527105{day:02d}03850001", ON)


@pytest.mark.parametrize("month", ["00", "13", "20", "99"])
def test_impossible_month(month):
    with pytest.raises(NikError, match="Tanggal lahir"):
        parse(f"52710512{month}850001", ON)


@pytest.mark.parametrize("ddmmyy", ["310285", "710285", "300285", "290285", "310485", "310685", "290201"])
def test_day_not_in_month(ddmmyy):
    with pytest.raises(NikError, match="Tanggal lahir"):
        parse(f"527105{ddmmyy}0001", ON)


def test_serial_0000():
    with pytest.raises(NikError, match="Nomor urut"):
        parse("5271051203850000", ON)


def test_nik_error_is_a_value_error_with_an_indonesian_message():
    with pytest.raises(ValueError) as caught:
        parse("123", ON)
    assert str(caught.value) == "NIK harus 16 angka."


# --- problems(): NIK, gender and age together --------------------------------------------------------


def test_no_problems_for_an_adult_whose_gender_matches():
    assert problems(nik(), "L", ON) == {}
    assert problems(nik(gender="P"), "P", ON) == {}


def test_gender_mismatch():
    assert problems(nik(gender="L"), "P", ON) == {
        "gender": "Jenis kelamin tidak sesuai NIK (NIK ini milik laki-laki)."
    }
    assert problems(nik(gender="P"), "L", ON) == {
        "gender": "Jenis kelamin tidak sesuai NIK (NIK ini milik perempuan)."
    }


@pytest.mark.parametrize("gender", [None, "", "X", "l"])
def test_gender_not_l_or_p_is_not_compared(gender):
    # An unknown gender is reported by the form reader; here only the NIK is judged.
    assert problems(nik(), gender, ON) == {}


def test_invalid_nik_reported_on_the_nik_field():
    assert problems("5271051203850000", "L", ON) == {
        "nik": "Nomor urut pada NIK (4 angka terakhir) tidak valid."
    }
    assert problems("abc", "L", ON) == {"nik": "NIK harus 16 angka."}


MINOR = "Pekerja harus berusia minimal 18 tahun (menurut NIK)."


def test_under_18_on_the_record_day_is_refused():
    assert problems(nik(born=date(2005, 1, 1)), "L", ON) == {"nik": MINOR}


def test_18th_birthday_exactly_is_adult():
    assert problems(nik(born=date(2003, 4, 16)), "L", ON) == {}
    assert problems(nik(born=date(2003, 4, 17)), "L", ON) == {"nik": MINOR}


def test_age_is_judged_on_the_record_day_not_later():
    number = nik(born=date(2003, 4, 17))
    assert problems(number, "L", date(2021, 4, 16)) == {"nik": MINOR}
    assert problems(number, "L", date(2021, 4, 17)) == {}


def test_minor_and_gender_mismatch_together():
    assert problems(nik(born=date(2010, 6, 1), gender="P"), "L", ON) == {
        "gender": "Jenis kelamin tidak sesuai NIK (NIK ini milik perempuan).",
        "nik": MINOR,
    }


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2000, 1, 1), date(2018, 1, 1), 18),
        (date(2000, 1, 2), date(2018, 1, 1), 17),
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(1985, 12, 31), date(2021, 4, 16), 35),
        (date(2021, 4, 16), date(2021, 4, 16), 0),
    ],
)
def test_age_on(born, on, age):
    assert age_on(born, on) == age


# --- properties -------------------------------------------------------------------------------------

regions = st.builds(
    lambda province, kabupaten, kecamatan: f"{province:02d}{kabupaten:02d}{kecamatan:02d}",
    st.sampled_from(sorted(PROVINCES)),
    st.integers(1, 99),
    st.integers(1, 99),
)
record_days = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def adult_births(draw):
    """A record day and a birth date less than 100 years and at least 18 years before it."""
    on = draw(record_days)
    latest = date(on.year - ADULT_AGE, on.month, min(on.day, 28))
    earliest = date(on.year - 99, 1, 1)
    return on, draw(st.dates(min_value=earliest, max_value=latest))


@given(adult_births(), regions, st.sampled_from(["L", "P"]), st.integers(1, 9999))
def test_a_built_nik_parses_back_to_its_parts(on_born, region, gender, serial):
    on, born = on_born
    number = nik(region=region, born=born, gender=gender, serial=serial)
    assert parse(number, on) == Nik(region=region, birth_date=born, gender=gender, serial=f"{serial:04d}")
    assert problems(number, gender, on) == {}
    assert set(problems(number, "P" if gender == "L" else "L", on)) == {"gender"}


@given(record_days, st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_minor_iff_under_18_on_the_record_day(on, born):
    assume(on - timedelta(days=365 * 99) < born <= on)
    number = nik(born=born)
    expected = {"nik": MINOR} if age_on(born, on) < ADULT_AGE else {}
    assert problems(number, "L", on) == expected


nik_like = st.one_of(
    st.text(),
    st.text(alphabet="0123456789", min_size=14, max_size=18),
    st.from_regex(r"[0-9]{16}", fullmatch=True),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=16, max_size=16),  # any script's digits
    st.from_regex(r"[1-9][0-9]{5}[0-7][0-9][01][0-9]{3}[0-9]{4}", fullmatch=True),
)


@given(nik_like, st.dates())
def test_parse_raises_only_nik_error(text, on):
    try:
        parsed = parse(text, on)
    except NikError as error:
        assert str(error)  # always a message to show
    else:
        assert len(text) == 16 and text.isascii() and text.isdigit()
        assert parsed.birth_date <= on
        assert parsed.region == text[:6] and parsed.serial == text[12:]
        assert parsed.gender == ("P" if int(text[6:8]) > 40 else "L")


@given(nik_like, st.sampled_from(["L", "P", None, "X"]), st.dates(min_value=date(1900, 1, 1)))
def test_problems_never_raise(text, gender, on):
    found = problems(text, gender, on)
    assert set(found) <= {"nik", "gender"}
    assert all(isinstance(message, str) and message for message in found.values())


def test_a_nik_from_outside_the_kota_is_flagged():
    from kotaku_pwa.nik import outside_kota

    assert outside_kota("5271031203850001", "5271") is False  # Mataram
    assert outside_kota("5201031203850001", "5271") is True  # Lombok Barat
    assert outside_kota("5201031203850001", None) is False  # a kota without its code is not judged
    assert outside_kota("", "5271") is False
