"""Frame sources: a video file, one image, a folder of images, a camera, on real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from coach.base.errors import SourceError
from coach.capture.sources import (
    CameraSource,
    ImageFolderSource,
    ImageSource,
    VideoFileSource,
    open_source,
    read_image_rgb,
)


def test_video_file_frames_and_timestamps(data_dir):
    path = data_dir / "single_face.mp4"
    with VideoFileSource(path) as video:
        assert video.nominal_fps == pytest.approx(30.0)
        assert video.frame_count_hint == 72
        assert video.name == "single_face.mp4"
        frames = list(video)
    assert len(frames) == 72
    assert [f.index for f in frames] == list(range(72))
    times = np.array([f.timestamp_s for f in frames])
    assert times[0] == 0.0
    assert np.all(np.diff(times) > 0)
    np.testing.assert_allclose(times, np.arange(72) / 30.0, atol=1e-9)
    for frame in frames:
        assert frame.image_rgb.shape == (360, 640, 3) and frame.image_rgb.dtype == np.uint8
        assert frame.size == (640, 360)
    # RGB, not OpenCV's BGR: the first frame is OpenCV's first frame with channels reversed
    capture = cv2.VideoCapture(str(path))
    ok, first_bgr = capture.read()
    capture.release()
    assert ok
    np.testing.assert_array_equal(frames[0].image_rgb, first_bgr[:, :, ::-1])


def test_video_with_an_odd_frame_rate_keeps_its_own_clock(data_dir):
    with VideoFileSource(data_dir / "face_noface.mov") as video:
        fps = video.nominal_fps
        times = np.array([f.timestamp_s for f in video])
    assert 20 < fps < 30 and fps != pytest.approx(30.0)
    assert len(times) > 100 and np.all(np.diff(times) > 0)
    np.testing.assert_allclose(times, np.arange(len(times)) / fps, atol=1e-9)


def test_image_source_is_one_frame_at_zero(data_dir):
    path = data_dir / "single_face.jpg"
    with ImageSource(path) as image:
        assert image.nominal_fps is None and image.frame_count_hint == 1
        frames = list(image)
        assert image.read() is None  # and stays finished
    assert len(frames) == 1
    frame = frames[0]
    assert frame.index == 0 and frame.timestamp_s == 0.0
    assert frame.image_rgb.ndim == 3 and frame.image_rgb.shape[2] == 3 and frame.image_rgb.dtype == np.uint8
    np.testing.assert_array_equal(frame.image_rgb, cv2.imread(str(path))[:, :, ::-1])


def test_grey_and_transparent_pictures_become_rgb(tmp_path):
    grey = np.tile(np.arange(0, 250, 10, dtype=np.uint8), (20, 1))
    cv2.imwrite(str(tmp_path / "grey.png"), grey)
    bgra = np.zeros((10, 12, 4), np.uint8)
    bgra[..., 0], bgra[..., 2], bgra[..., 3] = 200, 30, 128  # blue-ish, half transparent
    cv2.imwrite(str(tmp_path / "alpha.png"), bgra)

    rgb = read_image_rgb(tmp_path / "grey.png")
    assert rgb.shape == (20, 25, 3)
    np.testing.assert_array_equal(rgb[..., 0], grey)
    np.testing.assert_array_equal(rgb[..., 1], grey)
    rgb = read_image_rgb(tmp_path / "alpha.png")
    assert rgb.shape == (10, 12, 3)
    assert tuple(rgb[0, 0]) == (30, 0, 200)


def _solid(path: Path, value: int) -> None:
    assert cv2.imwrite(str(path), np.full((8, 8, 3), value, np.uint8))


def test_image_folder_order_and_skipped_files(tmp_path):
    _solid(tmp_path / "frame10.png", 100)
    _solid(tmp_path / "frame2.png", 20)
    _solid(tmp_path / "frame1.png", 10)
    (tmp_path / "frame3.jpg").write_bytes(b"\xff\xd8 broken jpeg")
    (tmp_path / "notes.txt").write_text("not a picture", encoding="utf-8")
    (tmp_path / "sub.png").mkdir()  # a folder with an image name is not a picture either
    with ImageFolderSource(tmp_path, fps=10.0) as folder:
        assert folder.frame_count_hint == 4  # frame1, frame2, frame3, frame10
        frames = list(folder)
        skipped = list(folder.skipped)
    assert [int(f.image_rgb[0, 0, 0]) for f in frames] == [10, 20, 100]  # frame1, frame2, frame10
    assert [f.index for f in frames] == [0, 1, 2]
    np.testing.assert_allclose([f.timestamp_s for f in frames], [0.0, 0.1, 0.2])
    assert [p.name for p in skipped] == ["frame3.jpg"]


def test_image_folder_plain_names_in_alphabetical_order(tmp_path, data_dir):
    shutil.copy(data_dir / "single_face.jpg", tmp_path / "b.jpg")
    shutil.copy(data_dir / "astronaut.png", tmp_path / "a.png")
    frames = list(ImageFolderSource(tmp_path))
    assert [f.image_rgb.shape[:2] for f in frames] == [(512, 512), read_image_rgb(tmp_path / "b.jpg").shape[:2]]


def test_image_folder_errors(tmp_path):
    with pytest.raises(SourceError, match="holds no image files"):
        ImageFolderSource(tmp_path)
    (tmp_path / "x.png").write_text("nope", encoding="utf-8")
    folder = ImageFolderSource(tmp_path)
    with pytest.raises(SourceError, match=r"its 1 image file cannot be read.*x\.png"):
        list(folder)


def test_truncated_jpeg_is_refused_but_a_whole_one_is_not(tmp_path, data_dir):
    data = (data_dir / "single_face.jpg").read_bytes()
    whole = read_image_rgb(data_dir / "single_face.jpg")
    for keep in (len(data) // 2, len(data) - 2):
        (tmp_path / "cut.jpg").write_bytes(data[:keep])
        with pytest.raises(SourceError, match="cut short"):
            read_image_rgb(tmp_path / "cut.jpg")
    # a whole JPEG with data after its end marker (phones append previews and motion
    # clips), even data that looks like the start of a scan, still loads
    (tmp_path / "trailer.jpg").write_bytes(data + b"\xff\xda\x00\x0c" + bytes(64))
    np.testing.assert_array_equal(read_image_rgb(tmp_path / "trailer.jpg"), whole)
    # progressive JPEGs have many scans: whole is fine, cut is refused
    ok, encoded = cv2.imencode(".jpg", whole[:, :, ::-1], [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    assert ok
    progressive = encoded.tobytes()
    (tmp_path / "progressive.jpg").write_bytes(progressive)
    assert read_image_rgb(tmp_path / "progressive.jpg").shape == whole.shape
    (tmp_path / "progressive.jpg").write_bytes(progressive[: len(progressive) * 2 // 3])
    with pytest.raises(SourceError, match="cut short"):
        read_image_rgb(tmp_path / "progressive.jpg")


def test_damaged_inputs_raise_without_native_chatter(tmp_path, data_dir, capfd):
    """OpenCV, FFmpeg and libpng must not print on stderr beside our own message."""
    (tmp_path / "noise.mp4").write_bytes(np.random.default_rng(0).integers(0, 256, 10_000, dtype=np.uint8).tobytes())
    (tmp_path / "cut.png").write_bytes((data_dir / "astronaut.png").read_bytes()[:100_000])
    with pytest.raises(SourceError, match="not a video"):
        VideoFileSource(tmp_path / "noise.mp4")
    with pytest.raises(SourceError, match="damaged or not an image"):
        read_image_rgb(tmp_path / "cut.png")
    with pytest.raises(SourceError, match="no camera found at index 7"):
        CameraSource(7)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_missing_files(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        VideoFileSource(tmp_path / "gone.mp4")
    with pytest.raises(SourceError, match="no such file"):
        ImageSource(tmp_path / "gone.png")
    with pytest.raises(SourceError, match="no such file or folder"):
        open_source(tmp_path / "gone.mp4")


def test_open_source_dispatch(tmp_path, data_dir):
    with pytest.raises(SourceError, match="no camera found at index 7"):
        open_source("7")  # digits are a camera index; there is no camera here
    with open_source(data_dir) as source:
        assert isinstance(source, ImageFolderSource)
    with open_source(data_dir / "astronaut.png") as source:
        assert isinstance(source, ImageSource)
    upper = tmp_path / "FACE.JPG"
    shutil.copy(data_dir / "single_face.jpg", upper)
    with open_source(str(upper)) as source:
        assert isinstance(source, ImageSource)
    for clip in ("single_face.mp4", "face_noface.mov"):
        with open_source(data_dir / clip) as source:
            assert isinstance(source, VideoFileSource)
    with open_source(str(tmp_path) + "/") as source:  # typed with a trailing slash
        assert isinstance(source, ImageFolderSource) and source.name == tmp_path.name


def test_damaged_frames_inside_a_video_are_decoded_quietly(tmp_path, data_dir, capfd):
    """Bytes garbled in the middle of the stream: FFmpeg conceals what it can. The frames
    still come, in order, and its decoder complaints stay off the user's terminal."""
    data = bytearray((data_dir / "single_face.mp4").read_bytes())
    for i in range(60_000, 120_000, 997):  # inside the picture data, before the index
        data[i] ^= 0x55
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    with VideoFileSource(damaged) as video:
        frames = list(video)
        warnings = video.warnings
    assert 20 <= len(frames) < 60  # the stream ends early where it is beyond repair ...
    assert [f.index for f in frames] == list(range(len(frames)))
    np.testing.assert_allclose([f.timestamp_s for f in frames], np.arange(len(frames)) / 30.0)
    # ... and says so, instead of passing off the first part as the whole recording
    assert warnings == [
        f"damaged.mp4: decoding stopped after {len(frames)} of about 72 frames; "
        "the rest of the file is damaged or cut short and was left out"
    ]
    captured = capfd.readouterr()
    assert captured.err == ""


def test_whole_videos_have_no_warnings(data_dir):
    # no_face.mp4's header promises 98 frames and 95 decode: an estimate, not damage
    for clip, frames in (("single_face.mp4", 72), ("no_face.mp4", 95)):
        with VideoFileSource(data_dir / clip) as video:
            assert sum(1 for _ in video) == frames
            assert video.warnings == []
