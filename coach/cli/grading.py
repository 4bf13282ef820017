"""`facecoach analyze --examination`: the suggested grading of a whole examination, printed."""

from __future__ import annotations

import argparse
import json
import sys

from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.base.private_files import write_private_text


def analyze_examination(args: argparse.Namespace) -> int:
    """`analyze --examination`: the suggested grading of a whole examination (printed; --json)."""
    from coach.cli.main import _check_writable, _write
    from coach.measure.landmarks import load_model_bytes, resolve_model_path
    from coach.reports.grading_text import format_suggestions
    from coach.usecases.examination import examine_recording

    for given, option in ((args.exercise, "--exercise"), (args.neutral, "--neutral"), (args.csv, "--csv"),
                          (args.save or args.patient, "--save/--patient")):  # fmt: skip
        if given:
            raise CoachError(tr("{option} is not for an examination (it finds each movement itself)", option=option))
    _check_writable(args.json)
    model = load_model_bytes(resolve_model_path(args.model))
    examined = examine_recording(
        args.source, model, affected_side=args.affected_side, exercises_dir=args.exercises_dir, workers=args.workers
    )
    print(format_suggestions(examined.suggestions))
    for warning in examined.suggestions.warnings:
        print(f"facecoach: warning: {warning}", file=sys.stderr)
    if args.json:
        document = json.dumps(examined.suggestions.to_json(), indent=2) + "\n"
        _write(args.json, lambda path: write_private_text(path, document))
    return 0
