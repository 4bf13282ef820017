"""The patients a therapist keeps sessions for: added, changed, found by id or code.

A code is a name or a pseudonymous code, unique ignoring case ('P07' and 'p07' are one
patient). The model calls the optional full name `name`; the database column (like the
files) keeps its first name, `display_name`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from coach.base.errors import CodeTakenError, FieldValueError
from coach.base.i18n import N_, tr
from coach.records.database import Database, require_row, row_id
from coach.records.encoding import parse_time
from coach.records.models import AFFECTED_SIDES, PATIENT_FIELDS, AffectedSide, Patient

#: a patient's optional text fields as a message about one of them names it
_TEXT_FIELD_WORDS = {"name": N_("display name"), "cause": N_("cause"), "notes": N_("notes")}

_INSERT = (
    "INSERT INTO patients (code, display_name, affected_side, onset_date, cause, notes, created_at, updated_at) "
    "VALUES (:code, :name, :affected_side, :onset_date, :cause, :notes, :now, :now)"
)


class Patients:
    """The patients in one session database (`SessionStore.patients`)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def add(
        self,
        code: str,
        name: str | None = None,
        affected_side: AffectedSide = "unknown",
        onset_date: date | None = None,
        cause: str | None = None,
        notes: str | None = None,
    ) -> Patient:
        """A new patient. `code` is a name or a pseudonymous code, unique (ignoring case);
        `affected_side` is the patient's anatomical side of the palsy."""
        fields = {
            "code": code,
            "name": name,
            "affected_side": affected_side,
            "onset_date": onset_date,
            "cause": cause,
            "notes": notes,
        }
        values = patient_values(fields, today=self._database.today())
        now = self._database.now()
        with self._database.writing(tr("the patient {code}", code=repr(values["code"]))) as connection:
            self._require_free_code(connection, values["code"], None)
            cursor = connection.execute(_INSERT, {**values, "now": now})
            return patient_from_row(patient_row(connection, row_id(cursor)))

    def update(self, patient_id: int, **fields: Any) -> Patient:
        """Change some of a patient's fields (see PATIENT_FIELDS); None clears an optional one."""
        unknown = sorted(set(fields) - set(PATIENT_FIELDS))
        if unknown:
            raise TypeError(f"a patient has no field {unknown[0]!r}; the fields are {', '.join(PATIENT_FIELDS)}")
        today = self._database.today()
        with self._database.writing(tr("the patient {code}", code=patient_id)) as connection:
            current = patient_from_row(patient_row(connection, patient_id))
            merged = {field: getattr(current, field) for field in PATIENT_FIELDS} | fields
            values = patient_values(merged, today=today)
            self._require_free_code(connection, values["code"], patient_id)
            connection.execute(
                "UPDATE patients SET code = :code, display_name = :name, affected_side = :affected_side, "
                "onset_date = :onset_date, cause = :cause, notes = :notes, updated_at = :now WHERE id = :id",
                {**values, "now": self._database.now(), "id": patient_id},
            )
            return patient_from_row(patient_row(connection, patient_id))

    def get(self, id_or_code: int | str) -> Patient:
        """A patient by id (int) or by code (str, ignoring case); KeyError if there is none."""
        if isinstance(id_or_code, bool) or not isinstance(id_or_code, int | str):
            raise TypeError(f"a patient is found by id (int) or code (str), not {id_or_code!r}")
        with self._database.reading(tr("the patients")) as connection:
            if isinstance(id_or_code, int):
                return patient_from_row(patient_row(connection, id_or_code))
            row = connection.execute("SELECT * FROM patients WHERE code = ?", (id_or_code.strip(),)).fetchone()
        if row is None:
            raise KeyError(
                tr("no patient with the code {code} in {path}", code=repr(id_or_code), path=self._database.path)
            )
        return patient_from_row(row)

    def all(self) -> list[Patient]:
        """Every patient, by code."""
        with self._database.reading(tr("the patients")) as connection:
            rows = connection.execute("SELECT * FROM patients ORDER BY code, id").fetchall()
        return [patient_from_row(row) for row in rows]

    def _require_free_code(self, connection: sqlite3.Connection, code: str, patient_id: int | None) -> None:
        row = connection.execute("SELECT id, code FROM patients WHERE code = ?", (code,)).fetchone()
        if row is not None and row["id"] != patient_id:
            raise _code_taken(code, row["code"], self._database.path)


def _code_taken(code: str, kept: str, path: Path) -> CodeTakenError:
    """The error for a code another patient has (as `kept`, which may differ in case)."""
    fields = {"code": repr(code), "kept": repr(kept), "path": path}
    if kept == code:
        message = tr("a patient with the code {code} is already in {path}; choose another code", **fields)
        problem = tr("a patient with the code {code} already exists; choose another code", **fields)
    else:
        message = tr(
            "a patient with the code {code} is already in {path} (as {kept}: codes ignore case); choose another code",
            **fields,
        )
        problem = tr(
            "a patient with the code {code} already exists (as {kept}: codes ignore case); choose another code",
            **fields,
        )
    return CodeTakenError(message, field="code", problem=problem, value=code)


def find_or_add(connection: sqlite3.Connection, values: Mapping[str, Any], now: str) -> int:
    """The id of the patient with this code, added from `values` (`patient_values`) if there
    is none; inside the caller's transaction."""
    row = connection.execute("SELECT id FROM patients WHERE code = ?", (values["code"],)).fetchone()
    if row is not None:
        return row[0]
    return row_id(connection.execute(_INSERT, {**values, "now": now}))


def _optional_text(field: str, value: object) -> str | None:
    """Text a person typed: stripped, and empty means 'not given'."""
    if value is None:
        return None
    if not isinstance(value, str):
        problem = tr("is text, not {value}", value=repr(value))
        message = tr("a patient's {field} {problem}", field=tr(_TEXT_FIELD_WORDS[field]), problem=problem)
        raise FieldValueError(message, field=field, problem=problem, value=value)
    return value.strip() or None


def _onset(value: object, today: date) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        problem = tr("must be a date (no time of day), not {value}", value=repr(value))
        raise FieldValueError(f"onset_date {problem}", field="onset_date", problem=problem, value=value)
    if value > today:
        problem = tr("{date} is in the future (today is {today})", date=value.isoformat(), today=today.isoformat())
        raise FieldValueError(f"onset_date {problem}", field="onset_date", problem=problem, value=value)
    return value.isoformat()


def patient_values(fields: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Check a patient's fields (PATIENT_FIELDS) and give them in their stored form;
    FieldValueError (a ValueError) names the field."""
    code = fields["code"]
    if not isinstance(code, str) or not code.strip():
        problem = tr("a patient needs a code (a name or a pseudonymous code), not {code}", code=repr(code))
        raise FieldValueError(problem, field="code", problem=problem, value=code)
    side = fields["affected_side"]
    if side not in AFFECTED_SIDES:
        problem = tr(
            "must be one of {sides} (the patient's anatomical side), not {side}",
            sides=", ".join(AFFECTED_SIDES),
            side=repr(side),
        )
        raise FieldValueError(f"affected_side {problem}", field="affected_side", problem=problem, value=side)
    onset = _onset(fields["onset_date"], today)
    return {
        "code": code.strip(),
        "name": _optional_text("name", fields["name"]),
        "affected_side": side,
        "onset_date": onset,
        "cause": _optional_text("cause", fields["cause"]),
        "notes": _optional_text("notes", fields["notes"]),
    }


def patient_row(connection: sqlite3.Connection, patient_id: int) -> sqlite3.Row:
    row = connection.execute("SELECT * FROM patients WHERE id = ?", (patient_id,)).fetchone()
    require_row(0 if row is None else 1, "patient", patient_id)
    return row


def patient_from_row(row: sqlite3.Row) -> Patient:
    return Patient(
        id=row["id"],
        code=row["code"],
        name=row["display_name"],
        affected_side=row["affected_side"],
        onset_date=None if row["onset_date"] is None else date.fromisoformat(row["onset_date"]),
        cause=row["cause"],
        notes=row["notes"],
        created_at=parse_time(row["created_at"]),
        updated_at=parse_time(row["updated_at"]),
    )
