"""The sources of the staff area's rule figures (package data), for the pages that show them."""

import json
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "staff_rules.json"
UNCONFIRMED_STATUSES = ("secondary_source_only", "UNCONFIRMED", "UNCONFIRMED_recalled_not_found_in_retrieved_sources")


@lru_cache(maxsize=1)
def load() -> dict:
    """{key: rule dict with "unconfirmed": bool}."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))["rules"]
    return {r["key"]: {**r, "unconfirmed": r["status"] in UNCONFIRMED_STATUSES} for r in rows}
