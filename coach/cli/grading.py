"""The grading on the command line: `facecoach analyze --examination` (the suggested grading of a
recorded examination, printed, and with `--save` kept as a session) and `facecoach grading
--session ID` (the suggested grading of an examination kept in the records, live or recorded)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.base.private_files import write_private_text

if TYPE_CHECKING:  # the command line starts fast: the measuring code is imported when a command needs it
    from coach.grading.suggestions import GradingSuggestions


def analyze_examination(args: argparse.Namespace) -> int:
    """`analyze --examination`: the suggested grading of a whole examination (printed; --json)."""
    from coach.cli.main import _check_writable
    from coach.measure.landmarks import load_model_bytes, resolve_model_path
    from coach.usecases.examination import examine_recording

    for given, option in ((args.exercise, "--exercise"), (args.neutral, "--neutral"), (args.csv, "--csv"),
                          (args.keep_picture, "--keep-picture")):  # fmt: skip
        if given:
            raise CoachError(tr("{option} is not for an examination (it finds each movement itself)", option=option))
    if args.save != bool(args.patient):
        raise CoachError(tr("--save and --patient go together: `--save --patient CODE`"))
    _check_writable(args.json)
    patient = None
    if args.save:
        from coach.cli.records import patient_to_save_for

        patient = patient_to_save_for(args)  # an unknown patient fails now, not after the analysis
    side = args.affected_side or (patient.affected_side if patient is not None else None)
    model = load_model_bytes(resolve_model_path(args.model))
    examined = examine_recording(
        args.source, model, affected_side=side, exercises_dir=args.exercises_dir, workers=args.workers
    )
    _print_grading(examined.suggestions, args.json)
    if patient is not None:
        from coach.cli.records import database_of, print_notice
        from coach.usecases.examination import save_examination

        session_id = save_examination(
            database_of(args), examined, patient.id, filmed_at=args.filmed_on, on_notice=print_notice
        )
        print(tr("saved as session {session} for patient {patient}", session=session_id, patient=patient.code))
    return 0


def _print_grading(suggestions: GradingSuggestions, json_path: Path | None) -> None:
    """The suggestions printed, their warnings on stderr, and all of it as JSON if asked."""
    from coach.cli.main import _write
    from coach.reports.grading_text import format_suggestions

    print(format_suggestions(suggestions))
    for warning in suggestions.warnings:
        print(f"facecoach: warning: {warning}", file=sys.stderr)
    if json_path:
        document = json.dumps(suggestions.to_json(), indent=2) + "\n"
        _write(json_path, lambda path: write_private_text(path, document))


def add_grading_command(commands: argparse._SubParsersAction) -> None:
    """`facecoach grading --session ID [--json FILE]`."""
    grading = commands.add_parser(
        "grading", help="the suggested Sunnybrook and eFACE grading of an examination session"
    )
    grading.add_argument("--session", required=True, type=int, metavar="ID", help="session number (see `sessions`)")
    grading.add_argument("--json", type=Path, metavar="FILE", help="write the suggestions as JSON")


def cmd_grading(args: argparse.Namespace) -> int:
    """`facecoach grading --session ID`: an examination kept in the records, graded by the same rules."""
    from coach.cli.main import _check_writable
    from coach.cli.records import open_clinic

    _check_writable(args.json)
    with open_clinic(args, reading=True) as clinic:
        try:
            suggestions = clinic.examination_grading(args.session)
        except KeyError:
            raise CoachError(tr("no session {session} in {database}; see `facecoach sessions --patient ID`",
                                session=args.session, database=clinic.database)) from None  # fmt: skip
    _print_grading(suggestions, args.json)
    return 0
