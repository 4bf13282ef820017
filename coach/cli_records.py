"""Command-line access to the saved records: patients, sessions, recorded videos.

Each function takes the parsed arguments (with the global --data-dir) and returns an
exit status; problems are CoachErrors, turned into one line by `coach.cli.main`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from coach.errors import CoachError
from coach.store import PatientRecord, SessionDetail, SessionStore, database_path
from coach.userdirs import default_data_dir

if TYPE_CHECKING:  # importing them loads the landmark model's library: only when analysing
    from coach.analysis import Analysis
    from coach.sources import FrameSource


def data_dir_of(args: argparse.Namespace) -> Path:
    return Path(args.data_dir).expanduser() if getattr(args, "data_dir", None) else default_data_dir()


@contextmanager
def open_store(args: argparse.Namespace) -> Iterator[SessionStore]:
    """The user's database; its notices (a kept damaged copy, a migration) go to stderr."""
    store, notice = SessionStore.open(database_path(data_dir_of(args)))
    if notice:
        for line in notice.splitlines():
            print(f"facecoach: note: {line}", file=sys.stderr)
    try:
        yield store
    finally:
        store.close()


def find_patient(store: SessionStore, reference: str) -> PatientRecord:
    """A patient by code, or by number when no code matches."""
    for key in (reference, int(reference) if reference.isdigit() else None):
        if key is None:
            continue
        try:
            return store.get_patient(key)
        except KeyError:
            continue
    raise CoachError(f"unknown patient {reference!r}: add one with `facecoach patients add {reference}`")


def patient_json(patient: PatientRecord) -> dict[str, object]:
    return {
        "id": patient.id,
        "code": patient.code,
        "name": patient.display_name,
        "affected_side": patient.affected_side,
        "onset_date": patient.onset_date.isoformat() if patient.onset_date else None,
        "cause": patient.cause,
        "notes": patient.notes,
    }


def _onset(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CoachError(f"onset date {text!r} is not a date like 2026-03-14") from None


def cmd_patients(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.patients_command == "add":
            try:
                patient = store.add_patient(args.code, args.name, args.side, _onset(args.onset), args.cause, args.notes)
            except ValueError as exc:
                raise CoachError(str(exc)) from None
            print(f"added patient {patient.code} (id {patient.id})")
            return 0
        patients = store.list_patients()
    if args.json:
        print(json.dumps([patient_json(p) for p in patients], indent=2))
        return 0
    if not patients:
        print("no patients yet: add one with `facecoach patients add CODE`")
    for p in patients:
        onset = p.onset_date.isoformat() if p.onset_date else "-"
        print(f"{p.id:>4}  {p.code:16} {p.display_name or '':24} affected: {p.affected_side:8} onset: {onset}")
    return 0


def exercise_summary_json(detail: SessionDetail) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for exercise in detail.exercises:
        summary = exercise.summary
        out.append(
            {
                "id": exercise.exercise_id,
                "name": exercise.exercise_name,
                "status": exercise.status,
                "summary": None if summary is None else summary.to_json(),
            }
        )
    return out


def cmd_sessions(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        patient = find_patient(store, args.patient)
        records = store.list_sessions(limit=args.limit, patient_id=patient.id)
        details = [store.session_detail(r.id) for r in records]
    rows = [
        {
            "id": d.id,
            "uid": d.uid,
            "date": d.started_at.isoformat(),
            "kind": d.kind,
            "programme": d.programme_name,
            "status": d.status,
            "exercises": exercise_summary_json(d),
        }
        for d in details
    ]
    if args.json:
        print(json.dumps({"patient": patient_json(patient), "sessions": rows}, indent=2))
        return 0
    print(f"{patient.code}: {len(rows)} session(s), newest first")
    for d, row in zip(details, rows, strict=True):
        print(
            f"{d.id:>5}  {d.started_at.astimezone():%Y-%m-%d %H:%M}  {d.kind:8} {d.status:11} {d.programme_name or ''}"
        )
        for exercise in row["exercises"]:  # type: ignore[union-attr]
            s = exercise["summary"] or {}
            sym = "-" if s.get("symmetry") is None else f"{s['symmetry'] * 100:.0f}%"
            print(
                f"         {exercise['name']:26} reps {s.get('reps', 0):>2}  left {s.get('left_mm') or '-'} mm  "
                f"right {s.get('right_mm') or '-'} mm  symmetry {sym}  weaker {s.get('weaker_side') or 'even'}"
            )
    return 0


def save_analysis_for(args: argparse.Namespace, analysis: Analysis, open_source: Callable[[], FrameSource]) -> int:
    """`analyze --save --patient ID [--filmed-on DATE] [--keep-picture]`: the recorded
    video joins the patient's history (with a picture at its peak only if asked for)."""
    from coach.recorded import peak_snapshot, save_analysis

    snapshot = peak_snapshot(analysis, open_source) if args.keep_picture else None
    with open_store(args) as store:
        patient = find_patient(store, args.patient)
        session_id = save_analysis(store, analysis, patient.id, filmed_at=args.filmed_on, snapshot=snapshot)
    dated = f", dated {args.filmed_on:%Y-%m-%d %H:%M}" if args.filmed_on else ""
    kept = " with a picture at the peak" if snapshot is not None else ""
    print(f"saved as session {session_id} for patient {patient.code}{dated}{kept}")
    return session_id


def cmd_export(args: argparse.Namespace) -> int:
    """A patient's history as a bundle (for the clinic), CSV or JSON."""
    from coach.bundle import export_bundle

    with open_store(args) as store:
        patient = find_patient(store, args.patient)
        if args.bundle:
            count = export_bundle(store, patient, Path(args.bundle))
            print(f"wrote {count} session(s) of patient {patient.code} to {args.bundle}")
        cmd_history_exports(args, patient, store)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """A bundle into this database: checked whole first, then all or nothing."""
    from coach.bundle import import_bundle

    with open_store(args) as store:
        patient, added, skipped = import_bundle(store, Path(args.bundle))
    already = f"; {skipped} were already here" if skipped else ""
    print(f"imported {added} session(s) for patient {patient.code}{already}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """One session as a PDF report (with the patient's trends), and/or CSV and JSON."""
    from coach.exports import write_csv, write_json
    from coach.report import write_session_report

    with open_store(args) as store:
        try:
            session = store.session_detail(args.session)
        except KeyError:
            raise CoachError(
                f"no session {args.session} in {store.path}; see `facecoach sessions --patient ID`"
            ) from None
        patient = store.get_patient(session.patient_id) if session.patient_id is not None else None
        records = store.list_sessions(limit=100_000, patient_id=session.patient_id) if patient else []
        history = [store.session_detail(r.id) for r in records] if patient else [session]
        pictures = store.session_snapshots(session.id) if args.pdf and not args.no_pictures else {}
    if args.pdf:
        pages = write_session_report(Path(args.pdf), session, history, patient, snapshots=pictures)
        with_pictures = f", {len(pictures)} picture(s)" if pictures else ""
        print(f"wrote {args.pdf} ({pages} pages{with_pictures})")
    if args.csv:
        rows = write_csv(Path(args.csv), [session])
        print(f"wrote {args.csv} ({rows} repetitions)")
    if args.json:
        write_json(Path(args.json), [session], patient)
        print(f"wrote {args.json}")
    return 0


def cmd_history_exports(args: argparse.Namespace, patient: PatientRecord, store: SessionStore) -> None:
    """A patient's whole history as CSV (one row per repetition) and/or JSON (everything)."""
    from coach.exports import write_csv, write_json

    sessions = [store.session_detail(r.id) for r in reversed(store.list_sessions(limit=100_000, patient_id=patient.id))]
    if args.csv:
        rows = write_csv(Path(args.csv), sessions)
        print(f"wrote {args.csv} ({rows} repetitions from {len(sessions)} sessions)")
    if args.json:
        write_json(Path(args.json), sessions, patient)
        print(f"wrote {args.json} ({len(sessions)} sessions)")
