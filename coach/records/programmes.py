"""The programmes a therapist prescribed, kept as data, and which one each patient was given.

The programme itself is `coach.plans.prescriptions.PrescribedProgramme` (the plans layer
checks it); here it is kept and handed back whole. A programme is never changed once
saved, so past assignments keep their meaning: a change is saved as a new programme.
The latest assignment is a patient's current programme; earlier ones stay as history.
"""

from __future__ import annotations

import json
import sqlite3

from coach.base.errors import StoreError
from coach.base.i18n import tr
from coach.plans.prescriptions import PrescribedProgramme, ProgrammeEntry
from coach.records.database import Database, require_id, require_row, row_id
from coach.records.encoding import check_uid, new_uid, parse_time, to_json


class Programmes:
    """The prescribed programmes in one session database (`SessionStore.programmes`)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def save(self, programme: PrescribedProgramme) -> PrescribedProgramme:
        """Keep a new programme (made by `coach.plans.prescriptions.prescribed_programme`,
        which checked it) and return it as kept: with its id, uid and time. A programme
        that has a uid (from another database) keeps it; StoreError if it is already here."""
        uid = new_uid() if programme.uid is None else programme.uid
        check_uid(uid)
        body = to_json([entry.to_json() for entry in programme.entries])
        now = self._database.now()
        with self._database.writing(tr("the programme {name}", name=repr(programme.name))) as connection:
            if connection.execute("SELECT 1 FROM programmes WHERE uid = ?", (uid,)).fetchone() is not None:
                raise StoreError(
                    tr("a programme with the uid {uid} is already in {path}", uid=uid, path=self._database.path)
                )
            cursor = connection.execute(
                "INSERT INTO programmes (uid, name, description, body_json, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (uid, programme.name, programme.description, body, now, now),
            )
            kept = _programme_from_row(_programme_row(connection, row_id(cursor)))
        self._database.after_keeping()
        return kept

    def get(self, programme_id: int) -> PrescribedProgramme:
        with self._database.reading(tr("the programmes")) as connection:
            return _programme_from_row(_programme_row(connection, programme_id))

    def all(self) -> list[PrescribedProgramme]:
        """Every kept programme, by name, then oldest first."""
        with self._database.reading(tr("the programmes")) as connection:
            rows = connection.execute("SELECT * FROM programmes ORDER BY name COLLATE NOCASE, id").fetchall()
        return [_programme_from_row(row) for row in rows]

    def assign(self, patient_id: int, programme_id: int) -> None:
        """Give a patient a programme: it becomes their current one (earlier ones stay as history)."""
        with self._database.writing(tr("the programme assignment")) as connection:
            require_id(connection, "patients", "patient", patient_id)
            require_id(connection, "programmes", "programme", programme_id)
            connection.execute(
                "INSERT INTO patient_programmes (patient_id, programme_id, assigned_at) VALUES (?, ?, ?)",
                (patient_id, programme_id, self._database.now()),
            )
        self._database.after_keeping()

    def current(self, patient_id: int) -> PrescribedProgramme | None:
        """The programme assigned to the patient last, or None if they were never given one."""
        with self._database.reading(tr("the programmes")) as connection:
            require_id(connection, "patients", "patient", patient_id)
            row = connection.execute(
                """SELECT p.* FROM patient_programmes AS a JOIN programmes AS p ON p.id = a.programme_id
                   WHERE a.patient_id = ? ORDER BY a.assigned_at DESC, a.id DESC LIMIT 1""",
                (patient_id,),
            ).fetchone()
        return None if row is None else _programme_from_row(row)


def _programme_row(connection: sqlite3.Connection, programme_id: int) -> sqlite3.Row:
    row = connection.execute("SELECT * FROM programmes WHERE id = ?", (programme_id,)).fetchone()
    require_row(0 if row is None else 1, "programme", programme_id)
    return row


def _programme_from_row(row: sqlite3.Row) -> PrescribedProgramme:
    return PrescribedProgramme(
        name=row["name"],
        description=row["description"],
        entries=tuple(ProgrammeEntry.from_json(item) for item in json.loads(row["body_json"])),
        id=row["id"],
        uid=row["uid"],
        created_at=parse_time(row["created_at"]),
    )
