"""Bad input through `facecoach analyze`: one clear line, exit status 2, no traceback.

Every case runs the real command (in-process through `coach.cli.main.main`, and a few in a
subprocess to see everything a user would see on stderr) on real files: the clips in
tests/data/ and damaged copies of them made in tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from coach.base.errors import ModelError
from coach.base.resources import exercises_dir
from coach.cli.main import main
from coach.measure.landmarks import MODEL_ENV_VAR, MODEL_SHA256, default_model_path, load_model_bytes

REPO = Path(__file__).resolve().parents[1]
ALL_IDS = sorted(p.stem for p in exercises_dir().glob("*.toml"))
STATIC_MEASURES = ("brow_height_mm", "palpebral_fissure_mm", "commissure_height_mm")


@pytest.fixture(autouse=True)
def _no_model_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """A FACECOACH_MODEL in the developer's shell must not change what these tests see."""
    monkeypatch.delenv(MODEL_ENV_VAR, raising=False)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """Run `facecoach ARGV` in-process; (exit status, stdout, stderr)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse usage errors leave through SystemExit(2)
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error(code: int, out: str, err: str, *needles: str) -> str:
    """Exit status 2, nothing on stdout, exactly one 'facecoach: error:' line naming `needles`."""
    assert "Traceback" not in err
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    line = lines[0]
    assert line.startswith("facecoach: error: "), line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


def write_clip(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    """RGB frames as an MJPEG AVI (decodes everywhere OpenCV does)."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    assert path.stat().st_size > 0
    return path


# --- files that cannot be read at all -------------------------------------------------


def test_missing_file(capsys, tmp_path):
    missing = tmp_path / "no_such_clip.mp4"
    assert_one_error(*run_cli(capsys, "analyze", missing, "--exercise", "rest"), str(missing), "no such file")


def test_random_bytes_named_mp4(capsys, tmp_path):
    fake = tmp_path / "holiday.mp4"
    fake.write_bytes(np.random.default_rng(1).integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    assert_one_error(*run_cli(capsys, "analyze", fake, "--exercise", "big_smile"), str(fake), "not a video")


def test_text_file_named_png(capsys, tmp_path):
    fake = tmp_path / "face.png"
    fake.write_text("this is not a picture\n", encoding="utf-8")
    assert_one_error(*run_cli(capsys, "analyze", fake, "--exercise", "rest"), str(fake), "not an image")


def test_truncated_jpeg_is_an_error_not_a_grey_picture(capsys, tmp_path, data_dir):
    # libjpeg would decode the first half and fill the rest with grey
    data = (data_dir / "single_face.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 3])
    assert_one_error(*run_cli(capsys, "analyze", cut, "--exercise", "rest"), str(cut), "cut short")


def test_empty_folder(capsys, tmp_path):
    folder = tmp_path / "session"
    folder.mkdir()
    (folder / "notes.txt").write_text("no pictures here", encoding="utf-8")
    assert_one_error(*run_cli(capsys, "analyze", folder, "--exercise", "rest"), str(folder), "no image files")


def test_folder_with_only_unreadable_images(capsys, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "a.png").write_text("not a png", encoding="utf-8")
    (folder / "b.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    line = assert_one_error(
        *run_cli(capsys, "analyze", folder, "--exercise", "rest"), str(folder), "none of its 2 image files"
    )
    assert "a.png" in line  # says which file and why


# --- readable, but nothing to measure --------------------------------------------------


def test_video_without_a_face(capsys, data_dir):
    assert_one_error(
        *run_cli(capsys, "analyze", data_dir / "no_face.mp4", "--exercise", "big_smile"),
        "no face found",
        "no_face.mp4",
    )


def test_face_too_small(capsys, data_dir):
    assert_one_error(
        *run_cli(capsys, "analyze", data_dir / "Tom_Hanks_54745.png", "--exercise", "rest"),
        "too small",
        "iris",
        "px",
    )


def test_no_camera_at_that_index(capsys):
    # this machine has no webcam; index 7 does not exist anywhere we test
    assert_one_error(*run_cli(capsys, "analyze", "7", "--exercise", "rest"), "no camera found at index 7")


# --- wrong options ---------------------------------------------------------------------


def test_unknown_exercise_lists_the_known_ones(capsys, data_dir):
    line = assert_one_error(
        *run_cli(capsys, "analyze", data_dir / "single_face.jpg", "--exercise", "smile_big"), "'smile_big'"
    )
    assert len(ALL_IDS) == 17  # 10 retraining exercises, 7 of the grading examination (exam_*)
    for exercise_id in ALL_IDS:
        assert exercise_id in line


@pytest.mark.parametrize("neutral", ["abc", "5:2", "3", "1:2:3", "-1:2", "2:2"])
def test_malformed_neutral_range(capsys, data_dir, neutral):
    line = assert_one_error(
        *run_cli(capsys, "analyze", data_dir / "single_face.mp4", "--exercise", "big_smile", f"--neutral={neutral}"),
        "--neutral",
        neutral,
    )
    assert "START" in line


@pytest.fixture(scope="module")
def face_then_blank_clip(tmp_path_factory, data_dir) -> Path:
    """1 s: a real face for 0.5 s, then 0.5 s of an empty grey room."""
    face = cv2.cvtColor(cv2.imread(str(data_dir / "single_face.jpg")), cv2.COLOR_BGR2RGB)
    blank = np.full_like(face, 128)
    return write_clip(tmp_path_factory.mktemp("clips") / "face_then_blank.avi", [face] * 15 + [blank] * 15)


def test_neutral_range_without_a_face(capsys, face_then_blank_clip):
    assert_one_error(
        *run_cli(capsys, "analyze", face_then_blank_clip, "--exercise", "big_smile", "--neutral", "0.6:0.9"),
        "no face was found between 0.6 s and 0.9 s",
        "--neutral",
    )
    # the same clip with the neutral where the face is: measured (so the error above is
    # about the missing face, not about the clip)
    code, out, err = run_cli(capsys, "analyze", face_then_blank_clip, "--exercise", "big_smile", "--neutral", "0:0.4")
    assert code == 0, err
    assert "neutral 0.00-0.40 s" in out
    assert "no face in 15 of 30 frames" in err


def test_json_into_a_missing_folder_fails_before_measuring(capsys, tmp_path, data_dir):
    target = tmp_path / "no" / "such" / "folder" / "result.json"
    assert_one_error(
        *run_cli(capsys, "analyze", data_dir / "single_face.jpg", "--exercise", "rest", "--json", target),
        str(target),
        "does not exist",
    )
    assert not target.parent.exists()


def test_json_onto_a_folder(capsys, tmp_path, data_dir):
    assert_one_error(
        *run_cli(capsys, "analyze", data_dir / "single_face.jpg", "--exercise", "rest", "--csv", tmp_path),
        str(tmp_path),
        "folder",
    )


# --- the model -------------------------------------------------------------------------


@pytest.fixture
def junk_model(tmp_path) -> Path:
    junk = tmp_path / "face_landmarker.task"
    junk.write_bytes(b"definitely not a MediaPipe bundle\n" * 10)
    return junk


def test_junk_model_option(capsys, data_dir, junk_model):
    digest = hashlib.sha256(junk_model.read_bytes()).hexdigest()
    assert_one_error(
        *run_cli(capsys, "--model", junk_model, "analyze", data_dir / "single_face.jpg", "--exercise", "rest"),
        str(junk_model),
        digest,
        MODEL_SHA256,
        "not a MediaPipe Face Landmarker bundle",
    )


def test_junk_model_from_environment(capsys, monkeypatch, data_dir, junk_model):
    monkeypatch.setenv(MODEL_ENV_VAR, str(junk_model))
    assert_one_error(
        *run_cli(capsys, "analyze", data_dir / "single_face.jpg", "--exercise", "rest"),
        str(junk_model),
        hashlib.sha256(junk_model.read_bytes()).hexdigest(),
        MODEL_SHA256,
    )


def test_missing_model_option(capsys, tmp_path, data_dir):
    missing = tmp_path / "gone.task"
    assert_one_error(
        *run_cli(capsys, "--model", missing, "analyze", data_dir / "single_face.jpg", "--exercise", "rest"),
        str(missing),
        "not found",
        MODEL_SHA256,
    )


def test_corrupt_shipped_model_is_refused(monkeypatch, tmp_path):
    data = bytearray(default_model_path().read_bytes())
    copy = tmp_path / "face_landmarker.task"
    copy.write_bytes(bytes(data))
    monkeypatch.setattr("coach.measure.landmarks.default_model_path", lambda: copy)
    assert load_model_bytes(copy) == bytes(data)  # an intact copy in the shipped place loads

    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the bundle
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelError) as caught:
        load_model_bytes(copy)
    message = str(caught.value)
    assert "corrupt" in message
    assert str(copy) in message
    assert MODEL_SHA256 in message
    assert hashlib.sha256(bytes(data)).hexdigest() in message


# --- what still works, with a warning ---------------------------------------------------


def test_face_that_leaves_still_measures_with_a_warning(capsys, tmp_path, data_dir):
    out_json = tmp_path / "r.json"
    code, out, err = run_cli(
        capsys, "analyze", data_dir / "face_noface.mov", "--exercise", "big_smile", "--json", out_json
    )
    assert code == 0, err
    assert "Traceback" not in err and "error" not in err
    warnings = [line for line in err.splitlines() if line.startswith("facecoach: warning: ")]
    assert any("no face in" in line and "frames" in line for line in warnings), err
    assert "Big smile (big_smile)" in out
    result = json.loads(out_json.read_text(encoding="utf-8"))
    assert 0 < result["frames_with_face"] < result["frames"]
    assert result["summary"]["reps"] >= 1


def test_video_damaged_halfway_is_measured_with_a_warning(capsys, tmp_path, data_dir):
    data = bytearray((data_dir / "single_face.mp4").read_bytes())
    for i in range(60_000, 120_000, 997):  # garble the picture data in the middle
        data[i] ^= 0x55
    damaged = tmp_path / "session.mp4"
    damaged.write_bytes(bytes(data))
    code, out, err = run_cli(capsys, "analyze", damaged, "--exercise", "big_smile")
    assert code == 0, err
    assert "Traceback" not in err and "error" not in err
    assert "facecoach: warning: session.mp4: decoding stopped after" in err
    assert "of about 72 frames" in err
    assert "Big smile (big_smile)" in out


def test_folder_with_a_corrupt_file_is_measured_with_a_skipped_warning(capsys, tmp_path, data_dir):
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(data_dir / "single_face.jpg", folder / "01_face.jpg")
    (folder / "02_corrupt.png").write_bytes(np.random.default_rng(2).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    code, out, err = run_cli(capsys, "analyze", folder, "--exercise", "rest")
    assert code == 0, err
    assert "Traceback" not in err and "error" not in err
    skipped = [line for line in err.splitlines() if line.startswith("facecoach: warning: ") and "skipped" in line]
    assert len(skipped) == 1 and "02_corrupt.png" in skipped[0], err
    assert "1 frame at 30.0 fps, face measured in 1" in out  # the corrupt file is not a frame


def test_photo_rest_writes_static_measures(capsys, tmp_path, data_dir):
    out_json = tmp_path / "rest.json"
    code, out, err = run_cli(capsys, "analyze", data_dir / "single_face.jpg", "--exercise", "rest", "--json", out_json)
    assert code == 0, err
    assert err == ""
    assert "Resting face" in out and "1 image," in out
    result = json.loads(out_json.read_text(encoding="utf-8"))
    assert result["exercise"] == "rest" and result["frames"] == 1 and result["frames_with_face"] == 1
    plausible = {"brow_height_mm": (5, 40), "palpebral_fissure_mm": (2, 20), "commissure_height_mm": (30, 100)}
    for name in STATIC_MEASURES:
        sides = result["static"][name]
        for side in ("left", "right"):
            value = sides[side]
            assert isinstance(value, float) and np.isfinite(value), (name, side, value)
            low, high = plausible[name]
            assert low < value < high, (name, side, value)
        assert sides["difference"] == pytest.approx(sides["left"] - sides["right"], abs=0.02)
    assert result["reps"] == [] and result["primary_measure"] is None


# --- what the user really sees: a subprocess, all of stderr -----------------------------


@pytest.fixture(scope="module")
def damaged_inputs(tmp_path_factory, data_dir) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("damaged")
    video = root / "clip.mp4"
    video.write_bytes((data_dir / "single_face.mp4").read_bytes()[:50_000])  # cut before its index
    folder = root / "frames"
    folder.mkdir()
    (folder / "0001.jpg").write_bytes((data_dir / "single_face.jpg").read_bytes()[:20_000])
    return {"video": video, "folder": folder}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["analyze", "{video}", "--exercise", "big_smile"], "not a video"),
        (["analyze", "{folder}", "--exercise", "rest"], "cut short"),
        (["analyze", "7", "--exercise", "rest"], "no camera found at index 7"),
        (["analyze", "{video}", "--exercise", "big_smile", "--neutral", "5:2"], "--neutral"),
    ],
    ids=["damaged-video", "truncated-jpeg-folder", "no-camera", "bad-neutral"],
)
def test_subprocess_prints_one_line_and_exits_2(damaged_inputs, tmp_path, args, needle):
    """Native libraries (FFmpeg, libjpeg, the camera probe) must not add their own
    chatter to our one line, and nothing may end in a traceback."""
    argv = [arg.format(**{k: str(v) for k, v in damaged_inputs.items()}) for arg in args]
    env = {k: v for k, v in os.environ.items() if k != MODEL_ENV_VAR}
    done = subprocess.run(
        [sys.executable, "-m", "coach", *argv], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("facecoach: error: ") and needle in lines[0], lines[0]
