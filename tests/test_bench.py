"""`facecoach bench` runs both passes on the real clip and reports consistent figures.

This checks the benchmark works and its figures agree with each other; the speed
itself is measured by running the benchmark, not asserted here (shared machines).
"""

from __future__ import annotations

import json

import pytest

from coach.cli.main import main


def test_bench_writes_consistent_figures(data_dir, tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["bench", str(data_dir / "single_face.mp4"), "--min-frames", "100", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["frames"] == 144  # the 72-frame clip replayed until at least 100 frames
    assert figures["bare_fps"] > 0 and figures["analysis_fps"] > 0
    assert figures["ratio"] == pytest.approx(figures["analysis_fps"] / figures["bare_fps"], rel=0.01)
    assert figures["realtime_factor"] == pytest.approx(figures["analysis_fps"] / 30.0, rel=0.01)
    assert "real time" in capsys.readouterr().out
