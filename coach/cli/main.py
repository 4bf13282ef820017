"""The `facecoach` command line.

Every user-caused problem is a CoachError: one line on stderr, exit status 2, never a
traceback. Warnings (something was skipped but the rest could be measured) go to
stderr too and do not change the exit status.

With `--language de` the results, errors and notices a person reads are in German; the
line prefixes ("facecoach: error:"), JSON and CSV output and exit statuses stay the same
in every language, for scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from coach import __version__
from coach.base.errors import CoachError
from coach.base.i18n import LANGUAGES, language, set_language, tr
from coach.base.private_files import write_private_text
from coach.cli.grading import add_grading_command, cmd_grading

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and status 2 like every other error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, "facecoach: error: " + tr("{message} (see facecoach --help)", message=message) + "\n")


def _neutral_range(text: str) -> tuple[float, float]:
    try:
        start, end = (float(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            tr("{value} is not START:END in seconds, e.g. 8.6:9.3", value=repr(text))
        ) from None
    if not 0 <= start < end:
        raise argparse.ArgumentTypeError(tr("{value}: START must be ≥ 0 and before END", value=repr(text)))
    return start, end


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr("{value} is not a whole number", value=repr(text))) from None
    if value < 1:
        raise argparse.ArgumentTypeError(tr("{value} must be at least 1", value=repr(text)))
    return value


def _filmed_at(text: str) -> datetime:
    """YYYY-MM-DD (taken as midday, so no time zone moves it to another day) or
    YYYY-MM-DDTHH:MM, on this computer's clock."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            tr("{value} is not a date: YYYY-MM-DD or YYYY-MM-DDTHH:MM", value=repr(text))
        ) from None
    if len(text) == 10:
        from coach.usecases.recorded import midday_of

        when = midday_of(when.date())
    when = when.astimezone() if when.tzinfo is None else when
    if when > datetime.now(UTC):
        raise argparse.ArgumentTypeError(tr("{value} is in the future", value=repr(text)))
    return when


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="facecoach", description="Facial Symmetry Coach: per-side facial movement, in mm.")
    parser.add_argument("--version", action="version", version=f"facecoach {__version__}")
    parser.add_argument("--model", help="Face Landmarker model file (default: the shipped one, or $FACECOACH_MODEL)")
    parser.add_argument("--workers", type=_positive_int, default=None, help="landmark threads (default: up to 2)")
    parser.add_argument(
        "--exercises-dir",
        type=Path,
        metavar="DIR",
        default=None,
        help="folder of exercise files (*.toml) to use instead of the shipped ones",
    )
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="where sessions are saved (default: per user)")
    parser.add_argument(
        "--language",
        choices=sorted(LANGUAGES),
        help="language of the windows, reports and printed results (the app: the one chosen last time; "
        "commands: English)",
    )
    app = parser.add_argument_group("the app (no command)")
    app.add_argument(
        "--camera",
        type=int,
        default=None,
        metavar="N",
        help="camera number (default: the one chosen last time, else 0)",
    )
    app.add_argument("--source", metavar="FILE", help="use a video file as the camera, played at its own speed")
    app.add_argument("--loop", action="store_true", help="with --source: play the video again when it ends")
    app.add_argument(
        "--programme", metavar="ID", help="programme to select at start (default: the last one used, else daily)"
    )
    app.add_argument(
        "--start",
        action="store_true",
        help="start the session at once, without a click, and print a line as each repetition is saved (demos, tests)",
    )
    app.add_argument("--quick", action="store_true", help="short pauses between the steps (demos, tests)")
    app.add_argument(
        "--supervise", action="store_true", help="open the therapist's supervision window too (for a second screen)"
    )
    app.add_argument(
        "--quit-when-shown",
        nargs="?",
        type=float,
        const=0.0,
        default=None,
        metavar="SECONDS",
        help="open the window, print 'window shown', and quit (after SECONDS, default 0: smoke tests)",
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    analyze = commands.add_parser("analyze", help="measure an exercise in a video, photo or folder of images")
    analyze.add_argument("source", help="video file, image file, folder of images, or camera index")
    analyze.add_argument("--exercise", help="exercise id (see `facecoach exercises`)")
    analyze.add_argument(
        "--examination",
        action="store_true",
        help="the source is a whole grading examination (a video of the standard movements in order, or a folder "
        "of the standard photographs): print the suggested Sunnybrook and eFACE grading",
    )
    analyze.add_argument("--affected-side", choices=("left", "right"),
                         help="with --examination: the patient's affected side, if known")  # fmt: skip
    analyze.add_argument("--neutral", type=_neutral_range, metavar="START:END", help="resting stretch, seconds")
    analyze.add_argument("--json", type=Path, metavar="FILE", help="write the full result as JSON")
    analyze.add_argument("--csv", type=Path, metavar="FILE", help="write per-frame, per-side measures as CSV")
    analyze.add_argument("--save", action="store_true", help="add the result to a patient's history (with --patient)")
    analyze.add_argument("--patient", metavar="ID", help="patient code or number for --save")
    analyze.add_argument("--filmed-on", type=_filmed_at, metavar="DATE",
                         help="with --save: when the video was filmed, YYYY-MM-DD[THH:MM] (default: now)")  # fmt: skip
    analyze.add_argument(
        "--keep-picture", action="store_true", help="with --save: keep a picture of the peak (stays on this computer)"
    )

    bench = commands.add_parser("bench", help="frames per second: bare landmark detection vs the whole analysis")
    bench.add_argument("source", help="video file")
    bench.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    bench.add_argument("--min-frames", type=_positive_int, default=300, help="replay the clip until this many frames")
    bench.add_argument("--exercise", default="big_smile", help="exercise analysed in the timed run")
    bench.add_argument(
        "--live", action="store_true", help="play the clip in real time through capture → process → display instead"
    )
    bench.add_argument(
        "--relay", metavar="URL",
        help="with --live --supervised: the view follows from another place through this relay (mqtt://host:port)",
    )  # fmt: skip
    bench.add_argument("--seconds", type=float, default=10.0, help="with --live: how long to play (the clip loops)")
    bench.add_argument(
        "--supervised",
        action="store_true",
        help="with --live: play it twice, the second time with the therapist's supervision window open, and compare",
    )

    commands.add_parser("exercises", help="list the exercises")

    patients = commands.add_parser("patients", help="the patients in this database")
    patient_commands = patients.add_subparsers(dest="patients_command", parser_class=_Parser, required=True)
    add = patient_commands.add_parser("add", help="add a patient")
    add.add_argument("code", help="a name or pseudonymous code, unique")
    add.add_argument("--name", help="display name (optional)")
    add.add_argument("--side", default="unknown", choices=["left", "right", "both", "unknown"],
                     help="affected side (the patient's own)")  # fmt: skip
    add.add_argument("--onset", metavar="YYYY-MM-DD", help="onset date")
    add.add_argument("--cause", help="cause, if known")
    add.add_argument("--notes", help="free notes")
    listing = patient_commands.add_parser("list", help="list the patients")
    listing.add_argument("--json", action="store_true", help="print JSON")

    sessions = commands.add_parser("sessions", help="a patient's sessions, newest first")
    sessions.add_argument("--patient", required=True, metavar="ID", help="patient code or number")
    sessions.add_argument("--json", action="store_true", help="print JSON")
    sessions.add_argument("--limit", type=_positive_int, default=1000, help="at most this many sessions")

    export = commands.add_parser("export", help="a patient's sessions: a bundle for the clinic, CSV or JSON")
    export.add_argument("--patient", required=True, metavar="ID", help="patient code or number")
    export.add_argument("--bundle", type=Path, metavar="FILE", help="write a bundle another computer can import")
    export.add_argument("--csv", type=Path, metavar="FILE", help="write one row per repetition")
    export.add_argument("--json", type=Path, metavar="FILE", help="write everything as JSON (with the gradings)")
    export.add_argument("--gradings-csv", type=Path, metavar="FILE", help="write the gradings filed, one row per item")
    export.add_argument(
        "--to-therapist",
        metavar="NAME",
        help="with --bundle: encrypt it for a paired therapist (`facecoach therapists`)",
    )
    export.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="with --bundle: encrypt it with the passphrase in FILE, 8 characters or more "
        "(or $FACECOACH_BUNDLE_PASSPHRASE)",
    )
    add_grading_command(commands)
    report = commands.add_parser("report", help="one session as a PDF report (and CSV / JSON)")
    report.add_argument("--session", required=True, type=int, metavar="ID", help="session number (see `sessions`)")
    report.add_argument("--pdf", type=Path, metavar="FILE", help="write the PDF report")
    report.add_argument("--csv", type=Path, metavar="FILE", help="write one row per repetition")
    report.add_argument("--json", type=Path, metavar="FILE", help="write everything as JSON")
    report.add_argument("--no-pictures", action="store_true",
                        help="leave the kept pictures out of the PDF (e.g. before sending it)")  # fmt: skip
    importing = commands.add_parser("import", help="add a bundle's sessions (once) to this database")
    importing.add_argument("bundle", type=Path, help="a bundle written by `facecoach export`")
    importing.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="the passphrase of an encrypted bundle, in FILE (or $FACECOACH_BUNDLE_PASSPHRASE)",
    )
    commands.add_parser(
        "therapists", help="the therapists this computer paired with (bundles can be encrypted to them)"
    )
    return parser


def _check_writable(path: Path | None) -> None:
    """Fail before the slow part, not after it, when an output cannot be written."""
    if path is None:
        return
    if not path.parent.resolve().is_dir():
        raise CoachError(tr("cannot write {path}: folder {folder} does not exist", path=path, folder=path.parent))
    if path.is_dir():
        raise CoachError(tr("cannot write {path}: it is a folder; give a file name", path=path))


def _write(path: Path, write: object) -> None:
    """Call `write(path)`, a writer that writes privately and whole (`coach.base.private_files`),
    with a failure of the disk as one line for the user."""
    try:
        write(path)  # type: ignore[operator]
    except OSError as exc:
        raise CoachError(tr("cannot write {path}: {problem}", path=path, problem=exc.strerror or exc)) from exc


def _check_analyze_options(args: argparse.Namespace) -> None:
    """Options of a one-exercise analysis that do not go together, said before anything is measured."""
    if not args.exercise:
        raise CoachError(tr("say what was filmed: `--exercise ID` (see `facecoach exercises`) or `--examination`"))
    if args.affected_side:
        raise CoachError(tr("--affected-side is for an examination: add `--examination`"))
    if args.save != bool(args.patient):
        raise CoachError(tr("--save and --patient go together: `--save --patient CODE`"))
    if not args.save and (args.filmed_on or args.keep_picture):
        raise CoachError(tr("--filmed-on and --keep-picture are for a saved analysis: add `--save --patient CODE`"))


def _cmd_analyze(args: argparse.Namespace) -> int:
    from coach.measure.landmarks import load_model_bytes, resolve_model_path
    from coach.plans.exercises import get_exercise
    from coach.reports.text import format_analysis
    from coach.usecases.recorded import analyse_recording

    if args.examination:
        from coach.cli.grading import analyze_examination

        return analyze_examination(args)
    _check_analyze_options(args)
    exercise = get_exercise(args.exercise, args.exercises_dir)
    _check_writable(args.json)
    _check_writable(args.csv)
    patient = None
    if args.save:
        from coach.cli.records import patient_to_save_for

        patient = patient_to_save_for(args)  # an unknown patient fails now, not after the analysis
    model = load_model_bytes(resolve_model_path(args.model))
    recorded = analyse_recording(args.source, exercise, model, neutral_s=args.neutral, workers=args.workers)
    print(format_analysis(recorded.analysis))
    for warning in recorded.warnings:
        print(f"facecoach: warning: {warning}", file=sys.stderr)
    if args.json:
        _write(args.json, recorded.analysis.write_json)
    if args.csv:
        _write(args.csv, recorded.analysis.write_csv)
    if patient is not None:
        from coach.cli.records import save_recorded

        save_recorded(args, recorded, patient)
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from coach.measure.landmarks import load_model_bytes, resolve_model_path
    from coach.plans.exercises import get_exercise
    from coach.usecases.bench import run_benchmark

    _check_writable(args.json)
    exercise = get_exercise(args.exercise, args.exercises_dir)
    source = Path(args.source).expanduser()
    if source.is_dir():
        raise CoachError(tr("cannot benchmark {path}: it is a folder; bench needs a video file", path=source))
    model = load_model_bytes(resolve_model_path(args.model))
    if args.live:
        from coach.gui.live_bench import run_live_benchmark

        figures = run_live_benchmark(source, model, args.seconds)
        summary = _live_summary(figures)
        if args.supervised:  # the same run again with the therapist's view open: the difference is its cost
            if args.relay:  # followed from another place: first only following, then steering too
                followed = run_live_benchmark(source, model, args.seconds, supervised=True, relay=args.relay,
                                              commands=False)  # fmt: skip
                summary += "\n" + tr("followed through the relay: {line}", line=_live_summary(followed))
            watched = run_live_benchmark(source, model, args.seconds, supervised=True, relay=args.relay)
            summary += "\n" + tr("with the supervision window open: {line}", line=_live_summary(watched))
            summary += "\n" + tr(
                "{count} pauses and resumes from the supervision window reached the patient's view in "
                "{p50} ms (median), {max} ms at most; the traces were redrawn {redraws} times a second",
                count=watched["commands_seen"], p50=watched["command_to_patient_ms_p50"],
                max=watched["command_to_patient_ms_max"], redraws=watched["trace_redraws_per_s"],
            )  # fmt: skip
            figures = {"plain": figures, "supervised": watched}
            if args.relay:
                summary += "\n" + tr(
                    "through the relay: {frames} measured pictures reached the therapist's window (another "
                    "process), capture to there p50 {p50} ms, p95 {p95} ms",
                    frames=followed["frames_at_therapist"], p50=followed["capture_to_therapist_ms_p50"],
                    p95=followed["capture_to_therapist_ms_p95"],
                )  # fmt: skip
                figures["followed"] = followed
    else:
        figures = run_benchmark(source, model, exercise, args.min_frames, args.workers)
        summary = tr(
            "{frames} frames: bare detection {bare_fps} fps, whole analysis {analysis_fps} fps (ratio {ratio}), "
            "{realtime}x real time",
            frames=figures["frames"],
            bare_fps=f"{figures['bare_fps']:.1f}",
            analysis_fps=f"{figures['analysis_fps']:.1f}",
            ratio=f"{figures['ratio']:.2f}",
            realtime=f"{figures['realtime_factor']:.2f}",
        )
    print(summary)
    if args.json:
        _write(args.json, lambda p: write_private_text(p, json.dumps(figures, indent=2) + "\n"))
    return 0


def _live_summary(figures: dict) -> str:
    """What `bench --live` measured, in one line."""
    return tr(
        "{offered} frames offered in {seconds} s, {processed} processed, {dropped} dropped for processing; "
        "capture-to-display latency p50 {p50} ms, p95 {p95} ms; CPU {cpu} %",
        offered=figures["offered_frames"],
        seconds=f"{figures['seconds']:.1f}",
        processed=figures["processed_frames"],
        dropped=figures["dropped_for_processing"],
        p50=f"{figures['latency_ms_p50']:.1f}",
        p95=f"{figures['latency_ms_p95']:.1f}",
        cpu=f"{figures['cpu_percent']:.0f}",
    )


def _cmd_exercises(args: argparse.Namespace) -> int:
    from coach.plans.exercises import load_exercises

    for exercise in load_exercises(args.exercises_dir).values():
        measure = exercise.primary[0] if exercise.primary else tr("resting measures")
        print(f"{exercise.id:20} {exercise.name:28} {measure}")
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    from coach.gui.app import run_app
    from coach.measure.landmarks import load_model_bytes, resolve_model_path

    return run_app(args, load_model_bytes(resolve_model_path(args.model)))


def _cmd_patients(args: argparse.Namespace) -> int:
    from coach.cli.records import cmd_patients

    return cmd_patients(args)


def _cmd_sessions(args: argparse.Namespace) -> int:
    from coach.cli.records import cmd_sessions

    return cmd_sessions(args)


def _outputs(args: argparse.Namespace, names: tuple[str, ...]) -> None:
    """At least one output, each in a folder that exists (checked before any work)."""
    if not any(getattr(args, name) for name in names):
        options = ", ".join("--" + name.replace("_", "-") for name in names)
        raise CoachError(tr("say what to write: {options}", options=options))
    for name in names:
        _check_writable(getattr(args, name))


def _cmd_export(args: argparse.Namespace) -> int:
    from coach.cli.records import cmd_export

    _outputs(args, ("bundle", "csv", "json", "gradings_csv"))
    return cmd_export(args)


def _cmd_report(args: argparse.Namespace) -> int:
    from coach.cli.records import cmd_report

    _outputs(args, ("pdf", "csv", "json"))
    return cmd_report(args)


def _cmd_import(args: argparse.Namespace) -> int:
    from coach.cli.records import cmd_import

    return cmd_import(args)


def _cmd_therapists(args: argparse.Namespace) -> int:
    from coach.cli.records import cmd_therapists

    return cmd_therapists(args)


COMMANDS = {
    "analyze": _cmd_analyze,
    "bench": _cmd_bench,
    "exercises": _cmd_exercises,
    "patients": _cmd_patients,
    "sessions": _cmd_sessions,
    "export": _cmd_export,
    "import": _cmd_import,
    "report": _cmd_report,
    "grading": cmd_grading,
    "therapists": _cmd_therapists,
}


def _language_asked(argv: list[str] | None) -> str | None:
    """The `--language` of a command line, found before argparse reads it (so that its own
    complaints are in that language too); None if not given."""
    words = sys.argv[1:] if argv is None else argv
    for index, word in enumerate(words):
        if word == "--":
            break
        if word.startswith("--language="):
            return word.partition("=")[2]
        if word == "--language" and index + 1 < len(words):
            return words[index + 1]
    return None


def _speak_early(argv: list[str] | None) -> None:
    """Speak the asked language while the command line is read. A damaged catalogue is said
    later, as one error line, by the command (or by the app)."""
    code = _language_asked(argv)
    if code in LANGUAGES:
        try:
            set_language(code)
        except CoachError:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    _speak_early(argv)
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _cmd_app(args)
        if args.language and args.language != language():
            set_language(args.language)
        return COMMANDS[args.command](args)
    except CoachError as exc:
        print(f"facecoach: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader went away (`facecoach analyze … | head`): nothing left to tell it.
        # Point stdout at devnull so Python's own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        # a file or device the system refused (permissions, a full disk, …): still one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"facecoach: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("facecoach: " + tr("interrupted"), file=sys.stderr)
        return 130
