"""Command-line access to the saved records: patients, sessions, recorded videos.

Each function takes the parsed arguments (with the global --data-dir) and returns an
exit status; problems are CoachErrors, turned into one line by `coach.cli.main.main`.
The work is done by the use cases (`coach.usecases.clinic`, `coach.usecases.recorded`);
this module parses and prints. What it prints for a person is in the language in use
(`--language`); `--json` output is the same in every language.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from coach.base.errors import CoachError
from coach.base.formats import date_time_text, number_text
from coach.base.i18n import N_, tr, trn
from coach.base.userdirs import default_data_dir
from coach.plans.shown_names import shown_exercise_name, shown_programme_name
from coach.records.bundle_crypto import NOT_ENCRYPTED, Encryption, ForTherapist, WithPassphrase, passphrase_problem
from coach.records.keyring import existing_own_key, find_therapist, fingerprint, paired_therapists
from coach.records.models import Patient, SessionDetail
from coach.records.store import database_path
from coach.reports.exports import steering_to_json
from coach.reports.steering_log import steering_entries
from coach.usecases.clinic import (
    Clinic,
    export_gradings_csv,
    export_sessions_csv,
    export_sessions_json,
    write_report_pdf,
)

if TYPE_CHECKING:  # importing it loads the landmark model's library: only when analysing
    from coach.usecases.recorded import RecordedAnalysis

#: stands in for --passphrase-file, for scripts that keep their secrets in the environment
PASSPHRASE_VARIABLE = "FACECOACH_BUNDLE_PASSPHRASE"
#: how the stored words read in the printed lists (translated where shown); English as stored
STORED_WORDS = {
    "left": N_("left"),
    "right": N_("right"),
    "both": N_("both"),
    "unknown": N_("unknown"),
    "live": N_("live"),
    "recorded": N_("recorded"),
    "in_progress": N_("in_progress"),
    "completed": N_("completed"),
    "skipped": N_("skipped"),
    "stopped": N_("stopped"),
    "interrupted": N_("interrupted"),
    "not_done": N_("not done"),
}


def stored_word(value: str) -> str:
    """A stored value ("left", "completed") as it reads in the language in use."""
    return tr(STORED_WORDS[value]) if value in STORED_WORDS else value


def column_width(values: tuple[str, ...], minimum: int) -> int:
    """How wide a column of stored words is in the language in use (at least `minimum`)."""
    return max(minimum, *(len(stored_word(value)) for value in values))


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
        raise CoachError(tr("onset date {value} is not a date like 2026-03-14", value=repr(text))) from None


def cmd_patients(args: argparse.Namespace) -> int:
    with open_clinic(args, reading=args.patients_command != "add") as clinic:
        if args.patients_command == "add":
            try:
                patient = clinic.add_patient(
                    args.code, args.name, args.side, _onset(args.onset), args.cause, args.notes
                )
            except ValueError as exc:
                raise CoachError(str(exc)) from None
            print(tr("added patient {code} (id {id})", code=patient.code, id=patient.id))
            return 0
        patients = clinic.patients()
    if args.json:
        print(json.dumps([patient_json(p) for p in patients], indent=2))
        return 0
    if not patients:
        print(tr("no patients yet: add one with `facecoach patients add CODE`"))
    side_width = column_width(("left", "right", "both", "unknown"), 8)
    for p in patients:
        onset = p.onset_date.isoformat() if p.onset_date else "-"
        line = tr(
            "{id}  {code} {name} affected: {side} onset: {onset}",
            id=f"{p.id:>4}",
            code=f"{p.code:16}",
            name=f"{p.name or '':24}",
            side=f"{stored_word(p.affected_side):{side_width}}",
            onset=onset,
        )
        print(line)
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
                "set_aside": [
                    {"number": record.number, "reason": record.discarded_reason}
                    for record in exercise.repetitions
                    if not record.counts
                ],
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
            "steering": [steering_to_json(record) for record in d.steering],
        }
        for d in details
    ]
    if args.json:
        print(json.dumps({"patient": patient_json(patient), "sessions": rows}, indent=2))
        return 0
    print(
        trn(
            "{patient}: {count} session, newest first",
            "{patient}: {count} sessions, newest first",
            len(rows),
            patient=patient.code,
        )
    )
    kind_width = column_width(("live", "recorded"), 8)
    status_width = column_width(("in_progress", "completed", "stopped", "interrupted"), 11)
    for d, row in zip(details, rows, strict=True):
        print(
            f"{d.id:>5}  {date_time_text(d.started_at.astimezone())}  {stored_word(d.kind):{kind_width}} "
            f"{stored_word(d.status):{status_width}} {shown_programme_name(d.programme_id, d.programme_name) or ''}"
        )
        for exercise in row["exercises"]:  # type: ignore[union-attr]
            print(_exercise_line(exercise))  # type: ignore[arg-type]
        for entry in steering_entries(d):
            print(" " * 9 + entry.line + (f" ({entry.exercise})" if entry.exercise else ""))
    return 0


def _exercise_line(exercise: dict[str, object]) -> str:
    """One exercise of a listed session: repetitions (those that count), each side's movement,
    symmetry, weaker side."""
    s: dict[str, object] = exercise["summary"] or {}  # type: ignore[assignment]
    sym = "-" if s.get("symmetry") is None else f"{number_text(s['symmetry'] * 100, 0)} %"  # type: ignore[operator]
    weaker = s.get("weaker_side")
    name = shown_exercise_name(str(exercise["id"]), str(exercise["name"]))

    def mm(side: str) -> str:
        value = s.get(f"{side}_mm")
        return "-" if value is None else number_text(float(value), 2)  # type: ignore[arg-type]

    return " " * 9 + tr(
        "{exercise} reps {reps}  left {left} mm  right {right} mm  symmetry {symmetry}  weaker {weaker}",
        exercise=f"{name:26}",
        reps=f"{s.get('reps', 0):>2}",
        left=mm("left"),
        right=mm("right"),
        symmetry=sym,
        weaker=stored_word(str(weaker)) if weaker else tr("even"),
    )


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
    print(_saved_line(saved.session_id, patient.code, args.filmed_on, saved.picture_kept))
    return saved.session_id


def _saved_line(session_id: int, code: str, filmed_on: object, picture_kept: bool) -> str:
    """What `analyze --save` says it did: the session, the patient, and the date and picture if any."""
    fields = {"session": session_id, "patient": code, "date": date_time_text(filmed_on) if filmed_on else ""}
    if filmed_on and picture_kept:
        return tr("saved as session {session} for patient {patient}, dated {date} with a picture at the peak", **fields)
    if filmed_on:
        return tr("saved as session {session} for patient {patient}, dated {date}", **fields)
    if picture_kept:
        return tr("saved as session {session} for patient {patient} with a picture at the peak", **fields)
    return tr("saved as session {session} for patient {patient}", **fields)


def given_passphrase(args: argparse.Namespace) -> str | None:
    """The passphrase in --passphrase-file (the line break an editor adds at its end is not part of
    it), else in $FACECOACH_BUNDLE_PASSPHRASE, else None."""
    if not args.passphrase_file:
        return os.environ.get(PASSPHRASE_VARIABLE) or None
    path = Path(args.passphrase_file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        problem = getattr(exc, "strerror", None) or exc
        raise CoachError(tr("cannot read the passphrase file {path} ({problem})", path=path, problem=problem)) from None
    passphrase = text.removesuffix("\n").removesuffix("\r")
    if not passphrase:
        raise CoachError(tr("the passphrase file {path} is empty", path=path))
    return passphrase


def bundle_encryption(args: argparse.Namespace) -> Encryption:
    """How `export --bundle` encrypts: for the paired therapist --to-therapist names, with the
    passphrase given (the option, else the environment), or not at all. Checked before any work."""
    if (args.to_therapist or args.passphrase_file) and not args.bundle:
        raise CoachError(tr("--to-therapist and --passphrase-file encrypt a bundle: add --bundle FILE"))
    if args.to_therapist and args.passphrase_file:
        raise CoachError(tr("encrypt a bundle one way: --to-therapist or --passphrase-file, not both"))
    if args.to_therapist:
        therapist = find_therapist(data_dir_of(args), args.to_therapist)
        return ForTherapist(therapist.name, therapist.public_key)
    passphrase = given_passphrase(args) if args.bundle else None
    if passphrase is None:
        return NOT_ENCRYPTED
    problem = passphrase_problem(passphrase)
    if problem is not None:
        raise CoachError(problem)
    return WithPassphrase(passphrase)


def _encrypted_line(encryption: Encryption) -> str | None:
    """What an encrypted bundle's export adds: who can open it."""
    if isinstance(encryption, ForTherapist):
        return tr("encrypted for {name}: only their computer can open it", name=encryption.name)
    if isinstance(encryption, WithPassphrase):
        return tr("encrypted with a passphrase: tell it to the clinic another way than the file (in person, by phone)")
    return None


def cmd_export(args: argparse.Namespace) -> int:
    """A patient's history as a bundle (for the clinic; encrypted if asked), CSV or JSON."""
    encryption = bundle_encryption(args)
    with open_clinic(args, reading=True) as clinic:
        patient = clinic.find_patient(args.patient)
        if args.bundle:
            count = clinic.export_bundle(patient, Path(args.bundle), _left_out, encryption=encryption)
            print(
                trn(
                    "wrote {count} session of patient {patient} to {path}",
                    "wrote {count} sessions of patient {patient} to {path}",
                    count,
                    patient=patient.code,
                    path=args.bundle,
                )
            )
            if said := _encrypted_line(encryption):
                print(said)
        history = clinic.history(patient.id, _left_out)
        gradings = clinic.gradings(patient.id)
    if args.csv:
        rows = export_sessions_csv(Path(args.csv), history)
        print(
            tr("wrote {path} ({rows} repetitions from {count} sessions)", path=args.csv, rows=rows, count=len(history))
        )
    if args.json:
        export_sessions_json(Path(args.json), history, patient, gradings)
        print(tr("wrote {path} ({count} sessions)", path=args.json, count=len(history)))
    if args.gradings_csv:
        rows = export_gradings_csv(Path(args.gradings_csv), gradings)
        print(tr("wrote {path} ({rows} graded items from {count} gradings)", path=args.gradings_csv, rows=rows,
                 count=len(gradings)))  # fmt: skip
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """A bundle into this database: opened (this computer's key, or the passphrase given), checked
    whole first, then all or nothing."""
    given = given_passphrase(args)

    def passphrase() -> str:
        """Asked only for a bundle encrypted with a passphrase."""
        if given is None:
            where = tr("bundle {path}", path=args.bundle)
            raise CoachError(
                tr(
                    "{where}: encrypted with a passphrase: give it with --passphrase-file FILE (or ${variable}); "
                    "nothing imported",
                    where=where,
                    variable=PASSPHRASE_VARIABLE,
                )
            )
        return given

    with open_clinic(args) as clinic:
        imported = clinic.import_bundle(Path(args.bundle), passphrase)
    fields = {"count": imported.added, "patient": imported.patient.code, "skipped": imported.skipped}
    added = trn("imported {count} session for patient {patient}", "imported {count} sessions for patient {patient}",
                fields.pop("count"), **fields)  # fmt: skip
    if imported.skipped:
        added += "; " + trn("{count} was already here", "{count} were already here", imported.skipped)
    print(added)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """One session as a PDF report (with the patient's trends), and/or CSV and JSON."""
    with open_clinic(args, reading=True) as clinic:
        try:
            report = clinic.session_report(args.session, with_pictures=bool(args.pdf) and not args.no_pictures)
        except KeyError:
            raise CoachError(
                tr(
                    "no session {session} in {database}; see `facecoach sessions --patient ID`",
                    session=args.session,
                    database=clinic.database,
                )
            ) from None
    if args.pdf:
        pages = write_report_pdf(Path(args.pdf), report)
        if report.pictures:
            print(
                tr(
                    "wrote {path} ({pages}, {pictures})",
                    path=args.pdf,
                    pages=trn("{count} page", "{count} pages", pages),
                    pictures=trn("{count} picture", "{count} pictures", len(report.pictures)),
                )
            )
        else:
            print(tr("wrote {path} ({pages})", path=args.pdf, pages=trn("{count} page", "{count} pages", pages)))
    if args.csv:
        rows = export_sessions_csv(Path(args.csv), [report.session])
        print(tr("wrote {path} ({rows} repetitions)", path=args.csv, rows=rows))
    if args.json:
        export_sessions_json(Path(args.json), [report.session], report.patient)
        print(tr("wrote {path}", path=args.json))
    return 0


def cmd_therapists(args: argparse.Namespace) -> int:
    """The therapists this computer paired with (`export --to-therapist NAME`), and this computer's own key."""
    data_dir = data_dir_of(args)
    therapists = paired_therapists(data_dir)
    if not therapists:
        print(tr("no therapist is paired with this computer yet"))
    width = max((len(t.name) for t in therapists), default=0)
    for therapist in therapists:
        name = f"{therapist.name:{width}}"
        fields = {"name": name, "fingerprint": therapist.fingerprint, "date": therapist.paired_on}
        print(tr("{name}  key {fingerprint}  paired on {date}", **fields))
    own = existing_own_key(data_dir)
    if own is not None:
        print(tr("this computer's own key: {fingerprint}", fingerprint=fingerprint(bytes(own.public_key))))
    return 0
