"""Command-line access to the saved records: patients, sessions, recorded videos.

Each function takes the parsed arguments (with the global --data-dir) and returns an
exit status; problems are CoachErrors, turned into one line by `coach.cli.main.main`.
The work is done by the use cases (`coach.usecases.clinic`, `coach.usecases.recorded`);
this module parses and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from coach.base.errors import CoachError
from coach.base.userdirs import default_data_dir
from coach.records.models import Patient, SessionDetail
from coach.records.store import database_path
from coach.usecases.clinic import Clinic, export_sessions_csv, export_sessions_json, write_report_pdf

if TYPE_CHECKING:  # importing it loads the landmark model's library: only when analysing
    from coach.usecases.recorded import RecordedAnalysis


def data_dir_of(args: argparse.Namespace) -> Path:
    return Path(args.data_dir).expanduser() if getattr(args, "data_dir", None) else default_data_dir()


def database_of(args: argparse.Namespace) -> Path:
    """The session database the command works on."""
    return database_path(data_dir_of(args))


def print_notice(notice: str) -> None:
    """What opening the database had to say (a damaged copy kept, an upgrade), on stderr."""
    for line in notice.splitlines():
        print(f"facecoach: note: {line}", file=sys.stderr)


@contextmanager
def open_clinic(args: argparse.Namespace, *, reading: bool = False) -> Iterator[Clinic]:
    """The user's database; its notices go to stderr. `reading`: the command only reads, so a
    database that cannot be written (a full disk) is still opened, read-only."""
    clinic, notice = Clinic.open(database_of(args), reading=reading)
    if notice:
        print_notice(notice)
    with clinic:
        yield clinic


def _left_out(reason: str) -> None:
    """A session that could not be read, on stderr: the command goes on without it."""
    print(f"facecoach: note: {reason}", file=sys.stderr)


def patient_json(patient: Patient) -> dict[str, object]:
    return {
        "id": patient.id,
        "code": patient.code,
        "name": patient.name,
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
    with open_clinic(args, reading=args.patients_command != "add") as clinic:
        if args.patients_command == "add":
            try:
                patient = clinic.add_patient(
                    args.code, args.name, args.side, _onset(args.onset), args.cause, args.notes
                )
            except ValueError as exc:
                raise CoachError(str(exc)) from None
            print(f"added patient {patient.code} (id {patient.id})")
            return 0
        patients = clinic.patients()
    if args.json:
        print(json.dumps([patient_json(p) for p in patients], indent=2))
        return 0
    if not patients:
        print("no patients yet: add one with `facecoach patients add CODE`")
    for p in patients:
        onset = p.onset_date.isoformat() if p.onset_date else "-"
        print(f"{p.id:>4}  {p.code:16} {p.name or '':24} affected: {p.affected_side:8} onset: {onset}")
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
    with open_clinic(args, reading=True) as clinic:
        patient = clinic.find_patient(args.patient)
        records = clinic.sessions(patient.id, limit=args.limit)
        details = clinic.readable_sessions(records, _left_out)
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


def patient_to_save_for(args: argparse.Namespace) -> Patient:
    """`analyze --save --patient ID`: the patient, found before the analysis (an unknown one fails now)."""
    with open_clinic(args) as clinic:
        return clinic.find_patient(args.patient)


def save_recorded(args: argparse.Namespace, recorded: RecordedAnalysis, patient: Patient) -> int:
    """`analyze --save --patient ID [--filmed-on DATE] [--keep-picture]`: the recorded
    video joins the patient's history (with a picture at its peak only if asked for)."""
    from coach.usecases.recorded import save_recording

    saved = save_recording(
        database_of(args),
        recorded,
        patient.id,
        filmed_at=args.filmed_on,
        keep_picture=args.keep_picture,
        on_notice=print_notice,
    )
    dated = f", dated {args.filmed_on:%Y-%m-%d %H:%M}" if args.filmed_on else ""
    kept = " with a picture at the peak" if saved.picture_kept else ""
    print(f"saved as session {saved.session_id} for patient {patient.code}{dated}{kept}")
    return saved.session_id


def cmd_export(args: argparse.Namespace) -> int:
    """A patient's history as a bundle (for the clinic), CSV or JSON."""
    with open_clinic(args, reading=True) as clinic:
        patient = clinic.find_patient(args.patient)
        if args.bundle:
            count = clinic.export_bundle(patient, Path(args.bundle), _left_out)
            print(f"wrote {count} session(s) of patient {patient.code} to {args.bundle}")
        history = clinic.history(patient.id, _left_out)
    if args.csv:
        rows = export_sessions_csv(Path(args.csv), history)
        print(f"wrote {args.csv} ({rows} repetitions from {len(history)} sessions)")
    if args.json:
        export_sessions_json(Path(args.json), history, patient)
        print(f"wrote {args.json} ({len(history)} sessions)")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """A bundle into this database: checked whole first, then all or nothing."""
    with open_clinic(args) as clinic:
        imported = clinic.import_bundle(Path(args.bundle))
    already = f"; {imported.skipped} were already here" if imported.skipped else ""
    print(f"imported {imported.added} session(s) for patient {imported.patient.code}{already}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """One session as a PDF report (with the patient's trends), and/or CSV and JSON."""
    with open_clinic(args, reading=True) as clinic:
        try:
            report = clinic.session_report(args.session, with_pictures=bool(args.pdf) and not args.no_pictures)
        except KeyError:
            raise CoachError(
                f"no session {args.session} in {clinic.database}; see `facecoach sessions --patient ID`"
            ) from None
    if args.pdf:
        pages = write_report_pdf(Path(args.pdf), report)
        with_pictures = f", {len(report.pictures)} picture(s)" if report.pictures else ""
        print(f"wrote {args.pdf} ({pages} pages{with_pictures})")
    if args.csv:
        rows = export_sessions_csv(Path(args.csv), [report.session])
        print(f"wrote {args.csv} ({rows} repetitions)")
    if args.json:
        export_sessions_json(Path(args.json), [report.session], report.patient)
        print(f"wrote {args.json}")
    return 0
