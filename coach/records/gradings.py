"""The clinicians' gradings as filed (`SessionStore.gradings`), and how often they kept the suggestions.

A grading is one scale (Sunnybrook or eFACE) filled in by a named clinician at a time, for a
patient, usually beside an examination session; it is kept with the values the measurement
suggested when it was filed, so a clinic can see over time, item by item, where the
suggestions are trusted (kept) and where clinicians grade otherwise (the mean difference).
"""

from __future__ import annotations

import json
import sqlite3

from coach.base.errors import FieldValueError
from coach.base.i18n import tr
from coach.grading import scales
from coach.records.database import Database, row_id
from coach.records.encoding import new_uid, parse_time
from coach.records.models import FiledGrading, ItemAgreement

_COLUMNS = (
    "gradings.id, gradings.uid, gradings.patient_id, gradings.session_id, sessions.uid AS session_uid, scale, "
    "graded_at, graded_by, values_json, suggested_json, total"
)
_FROM = "FROM gradings LEFT JOIN sessions ON sessions.id = gradings.session_id"


def _grading(row: sqlite3.Row) -> FiledGrading:
    return FiledGrading(
        id=row["id"],
        uid=row["uid"],
        patient_id=row["patient_id"],
        session_id=row["session_id"],
        session_uid=row["session_uid"],
        scale=row["scale"],
        graded_at=parse_time(row["graded_at"]),
        graded_by=row["graded_by"],
        values=json.loads(row["values_json"]),
        suggested=json.loads(row["suggested_json"]),
        total=row["total"],
    )


def checked_values(scale: str, values: dict[str, int | None], field: str) -> dict[str, int | None]:
    """Every item of the scale with a value it may take (or None); FieldValueError naming the
    item otherwise."""
    if scale not in scales.ITEMS:
        raise FieldValueError(tr("unknown scale {scale}", scale=repr(scale)), field="scale", problem="unknown",
                              value=scale)  # fmt: skip
    items = scales.ITEMS[scale]
    unknown = sorted(set(values) - set(items))
    if unknown:
        problem = tr("{item} is not an item of the scale", item=unknown[0])
        raise FieldValueError(f"{field}: {problem}", field=field, problem=problem, value=unknown[0])
    out: dict[str, int | None] = {}
    for item_id, item in items.items():
        value = values.get(item_id)
        if value is not None and (isinstance(value, bool) or value not in item.values):
            problem = tr("{item} cannot be {value} (it is one of {low} to {high})", item=item_id, value=value,
                         low=item.values[0], high=item.values[-1])  # fmt: skip
            raise FieldValueError(f"{field}: {problem}", field=field, problem=problem, value=value)
        out[item_id] = value
    return out


class Gradings:
    """The gradings filed in one session database."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def file(
        self,
        patient_id: int,
        scale: str,
        values: dict[str, int | None],
        graded_by: str,
        *,
        suggested: dict[str, int | None] | None = None,
        session_id: int | None = None,
    ) -> FiledGrading:
        """Keep a clinician's grading (validated item by item), with the suggestions it was made beside."""
        filed = checked_values(scale, values, "values")
        beside = checked_values(scale, suggested or {}, "suggested")
        who = graded_by.strip()
        if not who:
            problem = tr("say who graded (a name or initials)")
            raise FieldValueError(problem, field="graded_by", problem=problem, value=graded_by)
        with self._database.writing(tr("the grading")) as connection:
            grading_id = insert_grading(
                connection, new_uid(), patient_id, session_id, scale, self._database.now(), who, filed, beside
            )
            kept = _grading(
                connection.execute(f"SELECT {_COLUMNS} {_FROM} WHERE gradings.id = ?", (grading_id,)).fetchone()
            )
        self._database.after_keeping()
        return kept

    def for_patient(self, patient_id: int) -> list[FiledGrading]:
        """The patient's gradings, oldest first."""
        with self._database.reading(tr("the gradings")) as connection:
            rows = connection.execute(
                f"SELECT {_COLUMNS} {_FROM} WHERE gradings.patient_id = ? ORDER BY graded_at, gradings.id",
                (patient_id,),
            ).fetchall()
        return [_grading(row) for row in rows]

    def agreement(self, patient_id: int | None = None) -> list[ItemAgreement]:
        """Per item of both scales, how often the filed value was the suggested one, and the mean
        difference; over one patient's gradings, or all of them (None)."""
        where, args = ("WHERE gradings.patient_id = ?", (patient_id,)) if patient_id is not None else ("", ())
        with self._database.reading(tr("the gradings")) as connection:
            rows = connection.execute(f"SELECT {_COLUMNS} {_FROM} {where}", args).fetchall()
        return item_agreement([_grading(row) for row in rows])


def insert_grading(
    connection: sqlite3.Connection,
    uid: str,
    patient_id: int,
    session_id: int | None,
    scale: str,
    graded_at: str,
    graded_by: str,
    values: dict[str, int | None],
    suggested: dict[str, int | None],
) -> int:
    """One grading row (values already checked); its total from the scale. The one way a grading
    is written, filed here or imported from a bundle."""
    cursor = connection.execute(
        "INSERT INTO gradings (uid, patient_id, session_id, scale, graded_at, graded_by, values_json, suggested_json, "
        "total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (uid, patient_id, session_id, scale, graded_at, graded_by, json.dumps(values), json.dumps(suggested),
         scales.scores(scale, values).total),
    )  # fmt: skip
    return row_id(cursor)


#: the agreement row of a scale's total (Sunnybrook composite, eFACE total), after its items
TOTAL = "total"


def _agreement(scale: str, item: str, pairs: list[tuple[float, float]]) -> ItemAgreement:
    kept = sum(1 for filed, suggested in pairs if round(filed, 1) == round(suggested, 1))
    return ItemAgreement(scale, item, len(pairs), kept, sum(f - s for f, s in pairs) / len(pairs))


def item_agreement(gradings: list[FiledGrading]) -> list[ItemAgreement]:
    """Items (in the scales' order) with at least one grading that had both a suggestion and a value,
    then each scale's total (`TOTAL`): the filed total against the total of the suggestions, over the
    gradings filed beside a suggestion (items without one counted as filed, so only suggested items
    can differ)."""
    out = []
    for scale, items in scales.ITEMS.items():
        mine = [g for g in gradings if g.scale == scale]
        for item_id in items:
            pairs = [(float(g.values[item_id]), float(g.suggested[item_id])) for g in mine  # type: ignore[arg-type]
                     if g.values.get(item_id) is not None and g.suggested.get(item_id) is not None]  # fmt: skip
            if pairs:
                out.append(_agreement(scale, item_id, pairs))
        totals = [
            (
                g.total,
                scales.scores(scale, {k: v if v is not None else g.values[k] for k, v in g.suggested.items()}).total,
            )
            for g in mine
            if any(v is not None for v in g.suggested.values())
        ]
        if totals:
            out.append(_agreement(scale, TOTAL, totals))
    return out
