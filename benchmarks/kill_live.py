"""Kill the live app with SIGKILL at N random moments of a session and print what each kill kept.

    python benchmarks/kill_live.py [--moments 20] [--seed 1]

Why: issue 10's "kill -9 during a live session, 20 random moments: database intact, at most the
repetition in progress lost", measured the way tests/test_live_kill.py checks 3 of them (about 12 s
a moment; not part of the test suite). Every kill goes into the same data folder, as repeated
crashes on one computer would.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO / "tests", REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from live_kill import exercises_with_programme, run_and_kill  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the kills, print one line each and a verdict; exit 1 if any kill lost a saved repetition."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moments", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        exercises = exercises_with_programme(Path(folder))
        print("| kill | seconds after the first save | reported saved | in the database | integrity |")
        print("|---|---|---|---|---|")
        for n in range(1, args.moments + 1):
            result = run_and_kill(Path(folder) / "data", exercises, rng.uniform(0.0, 12.0))
            ok = result.integrity == "ok" and result.reported_saved <= result.in_database <= result.reported_saved + 1
            failures += not ok
            print(
                f"| {n} | {result.killed_after_s:.1f} | {result.reported_saved} | {result.in_database} "
                f"| {result.integrity}{'' if ok else ' **LOST**'} |",
                flush=True,
            )
    print(f"\n{args.moments - failures} of {args.moments} kills kept every repetition reported saved")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
