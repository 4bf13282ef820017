"""Fit the landmarker's left-right cross-talk on the TUNING face and write assets/landmark_crosstalk.toml.

    python benchmarks/accuracy/fit_crosstalk.py [--cache DIR] [--output FILE]

Why: the product undoes the mix (coach/measure/crosstalk.py); its coefficients must come from faces the
accuracy table does not report on. Only gen.TUNE faces (and the first blink of blink_face, for the lids:
see eyes.py) are used here; run.py then reports the product on
the held-back faces. Re-run this only when the model, the pose fit or the generator changes, and commit the
file with the table it produced.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
for _path in (REPO / "tests", REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks.accuracy import crosstalk, eyes  # noqa: E402
from benchmarks.accuracy import generator as gen  # noqa: E402
from benchmarks.accuracy.run import measure_all  # noqa: E402
from coach.measure.crosstalk import CROSSTALK_FILE, load_mixes  # noqa: E402


def coefficients_toml(mixes: dict, faces: list[str]) -> str:
    """The file's text: a header saying where the numbers come from, then one table per region."""
    lines = [
        "# Left-right cross-talk of the face-mesh landmarks, per region and axis (coach/measure/crosstalk.py):",
        "#   reading_left = own * true_left + other * true_right   (and mirrored); the product inverts this.",
        f"# Fitted on {', '.join(faces)} (the tuning clips of benchmarks/accuracy) on {datetime.date.today()} by",
        "#   python benchmarks/accuracy/fit_crosstalk.py",
        "# Never refit on the held-back faces the accuracy table reports on.",
        f"fitted_on = [{', '.join(repr(f).replace(chr(39), chr(34)) for f in faces)}]",
        "",
    ]
    regions: dict[str, list[str]] = {}
    for (region, axis), (mix, rms) in mixes.items():
        regions.setdefault(region, []).append(
            f"{axis} = {{ own = {mix.own:.3f}, other = {mix.other:.3f} }}  # fit rms {rms:.2f} mm"
        )
    for region, axes in regions.items():
        lines += [f"[regions.{region}]", *axes, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Fit on the tuning faces, write the coefficients file, print the fit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=gen.DEFAULT_CACHE)
    parser.add_argument("--output", type=Path, default=REPO / "assets" / CROSSTALK_FILE)
    args = parser.parse_args(argv)
    landmarks = gen.Landmarks(args.cache)
    try:
        _, rows = measure_all(gen.Generator(landmarks), [*gen.TUNE, "blink_face"])
    finally:
        landmarks.close()
    tune = gen.TUNE + eyes.EYE_TUNE
    mixes = crosstalk.fit(rows, tune)
    args.output.write_text(coefficients_toml(mixes, tune), encoding="utf-8")
    load_mixes(args.output)  # what was written must load
    print(f"wrote {args.output}: {crosstalk.fmt_mixes(mixes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
