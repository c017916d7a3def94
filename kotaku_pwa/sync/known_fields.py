"""The data keys each record kind knows; any other key is refused (a 7 MB unknown key must never be
stored, not even in the conflict table). Keep in step with each kind's `build`."""

FIELDS = {
    "worker": {
        "ksm_id",
        "nik",
        "name",
        "gender",
        "category",
        "phone",
        "low_income_covid",
        "lost_income",
        "breadwinner",
    },
    "attendance": {"ksm_id", "worker_uuid", "work_date", "present"},
    "payment": {
        "ksm_id",
        "worker_uuid",
        "period_start",
        "period_end",
        "days",
        "daily_rate",
        "amount",
        "paid_on",
        "method",
        "reference",
        "signature",
        "photo",
    },
    "tranche": {"ksm_id", "tranche", "amount", "received_on", "bank_reference"},
    "spending": {"ksm_id", "spent_on", "category", "description", "amount", "receipt_photo"},
    "meeting": {
        "kelurahan_id",
        "ksm_id",
        "type",
        "programme",
        "held_on",
        "place",
        "team",
        "notes",
        "topics",
        "outcomes",
        "attendees",
        "photo",
        "photo_lat",
        "photo_lon",
        "photo_accuracy",
    },
    "health_check": {
        "kelurahan_id",
        "ksm_id",
        "meeting_uuid",
        "setting",
        "checked_on",
        "people_present",
        "masks_worn",
        "fever_cases",
        "distancing",
        "handwash_soap",
        "temp_morning",
        "temp_noon",
        "temp_afternoon",
        "temperature_checked",
        "apd_workers",
        "notes",
    },
}

UNKNOWN = "Kolom tidak dikenal untuk jenis data ini."


def unknown_keys(kind: str, data: dict) -> dict:
    """{key: message} for each key of `data` the kind does not know (names cut short, at most five)."""
    known = FIELDS[kind]
    unknown = [key for key in data if key not in known]
    return {str(key)[:40]: UNKNOWN for key in unknown[:5]}
