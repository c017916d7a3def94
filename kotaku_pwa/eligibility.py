"""Who may work in Cash For Work (seed): (a) low-income (MBR) affected by Covid-19 and/or (b) lost
job or income to Covid-19, and (c) the family's main breadwinner, man or woman, not a minor."""


def problems(low_income_covid: bool, lost_income: bool, breadwinner: bool) -> dict[str, str]:
    """Field → message for the criteria a worker does not meet (empty when eligible)."""
    errors = {}
    if not (low_income_covid or lost_income):
        errors["low_income_covid"] = (
            "Pekerja harus MBR terdampak Covid-19 dan/atau kehilangan pekerjaan/penghasilan."
        )
    if not breadwinner:
        errors["breadwinner"] = "Pekerja harus tulang punggung (pencari nafkah utama) keluarga."
    return errors
