"""Hand-curated rows in data/curated/*.csv (read only; the importers never write them)."""

from __future__ import annotations

import csv
from pathlib import Path

from kg.errors import InputError

__all__ = ["CURATED_COLUMNS", "read_curated"]

CURATED_COLUMNS: dict[str, tuple[str, ...]] = {
    "extends": ("subject", "object", "basis", "quote", "locator", "note"),
    "introduced-in": ("entity", "target", "name", "note"),
    "list-links": ("list_title", "target", "reason"),
    "sheet-keys": ("sheet", "bibtex_key", "target", "reason"),
    "section9-areas": ("area_id", "heading", "section", "branch", "concepts"),
    "policy-facts": ("target", "rl_stage", "policy_architecture", "feedback", "evidence", "locator"),
    "text-frameworks": ("target", "framework_name", "note"),
}


def read_curated(curated_dir: Path, name: str) -> list[dict[str, str]]:
    """The rows of data/curated/<name>.csv, or [] when the file does not exist.

    Raises InputError naming the file when a required column is missing.
    """
    path = Path(curated_dir) / f"{name}.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CURATED_COLUMNS[name] if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: missing column(s) {missing}; expected {list(CURATED_COLUMNS[name])}")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader
                if any((v or "").strip() for v in row.values())]
