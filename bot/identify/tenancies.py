"""Importing tenancy records exported from a housing management system.

The import is all or nothing: every row is checked first and every bad row reported with its
row number and reason; only a clean file is written, in one transaction. Re-importing updates
records in place by tenancy reference. A column mapping (YAML) handles exports whose headers
differ from ours.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from bot.audit import audit
from bot.errors import InputError
from bot.identify.accounts import normalise_handle
from bot.storage.models import TenancyHandle, TenancyRecord

FIELDS = (
    "tenancy_ref",
    "name",
    "contact_preferences",
    "social_handles",
    "vulnerability_notes",
    "support_contact",
)
REQUIRED = ("tenancy_ref", "name")
PLATFORMS = ("facebook", "instagram", "x", "reddit")
_HANDLE = re.compile(r"^[a-z0-9_.\-]{1,100}$")


@dataclass(frozen=True)
class TenancyRow:
    """One checked row of the export."""

    tenancy_ref: str
    name: str
    contact_preferences: str
    handles: tuple[tuple[str, str], ...]
    vulnerability_notes: str
    support_contact: str


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)


def read_mapping(path: Path | None) -> dict[str, str]:
    """Our field name -> the export's column header, from a mapping YAML (or identity).

    The file looks like::

        columns:
          tenancy_ref: "Tenancy Reference"
          name: "Lead Tenant"
    """
    mapping = {f: f for f in FIELDS}
    if path is None:
        return mapping
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the column mapping ({exc})") from None
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict):
        raise InputError(f"{path}: expected a 'columns:' mapping of our field to your header")
    unknown = [k for k in columns if k not in FIELDS]
    if unknown:
        raise InputError(
            f"{path}: unknown field(s) {', '.join(map(str, unknown))}; "
            f"fields are {', '.join(FIELDS)}"
        )
    mapping.update({str(k): str(v) for k, v in columns.items()})
    return mapping


def parse_handles(value: str) -> tuple[tuple[str, str], ...]:
    """Parse "facebook:tracey.h; x:@traceyh" into (platform, normalised handle) pairs.

    Raises:
        ValueError: naming the malformed handle.
    """
    handles = []
    for item in re.split(r"[;,\s]+", value.strip()):
        if not item:
            continue
        platform, sep, handle = item.partition(":")
        platform = platform.strip().lower()
        if not sep or platform not in PLATFORMS:
            raise ValueError(
                f"social handle '{item}' must be written platform:handle, with platform one "
                f"of {', '.join(PLATFORMS)}"
            )
        handle = normalise_handle(handle)
        if not _HANDLE.match(handle):
            raise ValueError(f"social handle '{item}' has characters a handle cannot have")
        handles.append((platform, handle))
    return tuple(handles)


_EXTRA = "\x00extra fields"  # where DictReader puts fields beyond the header's


def _field_count(record: Mapping[str, object]) -> int:
    """How many fields the row really had: a short row leaves None, a long one extras."""
    extra = record.get(_EXTRA)
    present = sum(1 for key, value in record.items() if key != _EXTRA and value is not None)
    return present + (len(extra) if isinstance(extra, list) else 0)


def check_file(path: Path, mapping: Mapping[str, str]) -> tuple[list[TenancyRow], list[str]]:
    """Read and check every row; return the good rows and one problem line per bad row."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}, line {line}: not UTF-8 text (byte {exc.start}). Export the file as "
            "UTF-8 CSV and import it again; nothing was imported."
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey=_EXTRA, restval=None)
    headers = reader.fieldnames or []
    missing = [mapping[f] for f in REQUIRED if mapping[f] not in headers]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(headers) or 'none'}"
            ". Use --mapping to say which of your columns holds each field."
        )
    rows: list[TenancyRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(reader, start=2):  # row 1 is the header
        if (count := _field_count(record)) != len(headers):
            problems.append(
                f"row {number}: {count} fields where the header has {len(headers)}; a comma "
                "inside a field (a vulnerability note, say) needs the field in double quotes"
            )
            continue

        def get(name: str, record: dict[str, str | None] = record) -> str:
            return (record.get(mapping[name]) or "").strip()

        ref = get("tenancy_ref")
        if not ref:
            problems.append(f"row {number}: missing tenancy reference")
            continue
        if ref in seen:
            problems.append(f"row {number}: tenancy reference {ref} repeats row {seen[ref]}")
            continue
        seen[ref] = number
        name = get("name")
        if not name:
            problems.append(f"row {number}: tenancy {ref} has no name")
            continue
        try:
            handles = parse_handles(get("social_handles"))
        except ValueError as exc:
            problems.append(f"row {number}: tenancy {ref}: {exc}")
            continue
        rows.append(
            TenancyRow(
                tenancy_ref=ref,
                name=name,
                contact_preferences=get("contact_preferences"),
                handles=handles,
                vulnerability_notes=get("vulnerability_notes"),
                support_contact=get("support_contact"),
            )
        )
    return rows, problems


def import_tenancies(
    session: Session,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    actor: str,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import (or update) tenancy records from a CSV export, all or nothing.

    Raises:
        InputError: listing every bad row; nothing is written.
    """
    rows, problems = check_file(path, mapping or read_mapping(None))
    if problems:
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise InputError(
            f"{path}: {len(problems)} bad row(s); nothing was imported:\n{shown}{more}"
        )
    report = ImportReport(rows=len(rows))
    existing = {
        t.tenancy_ref: t
        for t in session.scalars(
            sa.select(TenancyRecord).where(
                TenancyRecord.tenancy_ref.in_([r.tenancy_ref for r in rows])
            )
        )
    }
    for index, row in enumerate(rows, start=1):
        record = existing.get(row.tenancy_ref)
        if record is None:
            record = TenancyRecord(tenancy_ref=row.tenancy_ref, name=row.name)
            session.add(record)
            report.created += 1
        else:
            report.updated += 1
        record.name = row.name
        record.contact_preferences = row.contact_preferences
        record.vulnerability_notes = row.vulnerability_notes
        record.support_contact = row.support_contact
        record.updated_at = now
        wanted = set(row.handles)
        kept = [h for h in record.handles if (h.platform, h.handle) in wanted]
        have = {(h.platform, h.handle) for h in kept}
        record.handles = kept + [
            TenancyHandle(platform=p, handle=h) for p, h in row.handles if (p, h) not in have
        ]
        if progress is not None:
            progress(index)
    session.flush()
    audit(
        session,
        actor=actor,
        event="tenancies_imported",
        subject_type="tenancy_records",
        subject_id=None,
        at=now,
        file=path.name,
        created=report.created,
        updated=report.updated,
    )
    return report
