"""Driving a CoachingSession offline, frame by frame, with real faces and the real model.

The man in single_face.mp4 rests (frames 0 to 11), smiles broadly (about 15 to 60) and rests
again. `find_clip` finds the landmarks once; each test then feeds a CoachingSession those
real frames and landmarks in whatever order it needs, with synthetic timestamps
(frame number ÷ fps), exactly as the live pipeline's processing thread would.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from coach.capture.sources import Frame
from coach.measure.landmarks import FaceSelector
from coach.plans.exercises import Exercise, get_exercise
from coach.plans.programmes import Programme
from coach.session import events
from coach.session.analysis import LandmarkTrack
from coach.session.coaching import SessionView
from coach.session.commands import Origin, Start
from coach.session.controller import SessionController
from coach.session.phases import Phase, SessionTiming

import synthetic

FAST = SessionTiming(camera_ok_s=0.5, calibration_s=1.5, instruction_s=0.5, countdown_s=0.5, move_s=1.0, result_s=0.5)
#: the resting frames played back and forth, as long as needed
REST = list(range(12)) + list(range(10, 0, -1))
SMILE = list(range(12, 72))


def rest_frames(seconds: float, fps: float = 30.0) -> list[int]:
    return list(itertools.islice(itertools.cycle(REST), round(seconds * fps)))


def big_smile(repetitions: int = 1) -> Exercise:
    return dataclasses.replace(get_exercise("big_smile"), repetitions=repetitions, hold_s=1.0, relax_s=1.5)


def programme_of(*exercises: Exercise) -> Programme:
    return Programme("t", "T", "", exercises)


@dataclass
class Clip:
    """Real frames and what the real model found in them, by index: 0 to 71 the man,
    72 to 81 the empty room, then frame 40 (broad smile) with one side weakened."""

    images: list[np.ndarray]
    faces: list[list[np.ndarray]]
    chosen: list[np.ndarray | None]
    fps: float
    no_face: list[int]
    weakened: dict[str, int]


PEAK = 40


def _detect(landmarker, images: list[np.ndarray], fps: float) -> tuple[list, list]:
    selector = FaceSelector()
    faces, chosen = [], []
    for result in landmarker.run(Frame(i, i / fps, image) for i, image in enumerate(images)):
        faces.append(result.faces)
        chosen.append(selector.choose(result.faces))
    return faces, chosen


def find_clip(landmarker, data_dir: Path) -> Clip:
    """The clip's frames and what the real model finds in them (slow: once per test module)."""
    frames, fps = synthetic.read_clip(data_dir / "single_face.mp4")
    empty, _ = synthetic.read_clip(data_dir / "no_face.mp4")
    images = frames + [cv2.resize(frame, (640, 360)) for frame in empty[:10]]
    faces, chosen = _detect(landmarker, images, fps)
    assert all(face is not None for face in chosen[:72]), "the man is found in every frame"
    assert not any(faces[72:]), "nobody in the empty room"
    # the broad smile with the patient's left, or right, half pulled 80 % back toward rest
    base = [*range(12), PEAK]  # the warp's resting reference is the first 12 frames
    weak = [
        synthetic.weaken_side([frames[i] for i in base], [chosen[i] for i in base], side, 0.8, range(12))[-1]
        for side in ("left", "right")
    ]
    weak_faces, weak_chosen = _detect(landmarker, weak, fps)
    assert all(face is not None for face in weak_chosen)
    weakened = {"left": len(images), "right": len(images) + 1}
    return Clip(images + weak, faces + weak_faces, chosen + weak_chosen, fps, list(range(72, 82)), weakened)


def clip_of(landmarker, path: Path) -> Clip:
    """Any real video's frames and what the real model finds in them, as a Clip to drive a
    session with (no empty room, no weakened frames)."""
    frames, fps = synthetic.read_clip(path)
    faces, chosen = _detect(landmarker, frames, fps)
    return Clip(frames, faces, chosen, fps, [], {})


def track_of(clip: Clip, times: list[float], indices: list[int]) -> LandmarkTrack:
    """What `analyze` reads from a video of these frames of the clip, shown at these times."""
    with_face = [n for n, i in enumerate(indices) if clip.chosen[i] is not None]
    height, width = clip.images[indices[0]].shape[:2]
    return LandmarkTrack(
        source="test frames",
        fps=clip.fps,
        image_size=(width, height),
        timestamps_s=np.array(times),
        frames_with_face=np.array(with_face, dtype=int),
        points_px=np.stack([clip.chosen[indices[n]] for n in with_face]),
        faces_seen=np.array([len(clip.faces[i]) for i in indices]),
    )


def back_and_forth(count: int) -> Iterable[int]:
    """A clip's frame numbers played forward, then backward, for ever: as long as a session
    needs, with no jump where it starts again."""
    return itertools.cycle([*range(count), *range(count - 2, 0, -1)])


#: each event as the tests name it, and the fields they read from it (in order)
_NAMED = {
    events.SessionStarted: ("session_started", ("programme",)),
    events.RestingMeasured: ("resting_measured", ("resting",)),
    events.ExerciseStarted: ("exercise_started", ("index", "exercise")),
    events.RepetitionFinished: ("repetition_done", ("index", "number", "repetition")),
    events.ExerciseFinished: ("exercise_finished", ("index", "result")),
    events.SessionFinished: ("session_finished", ("status",)),
    events.Prompt: ("prompt", ("kind", "text")),
    events.EyeClosure: ("eye_closure", ("left", "right", "at_s")),
    events.PeakPictureTaken: ("peak_snapshot", ("index", "snapshot")),
}


class Recorder:
    """A subscriber of the session's events that keeps every one, in order."""

    def __init__(self) -> None:
        self.all: list[events.SessionEvent] = []
        self.events: list[tuple[str, tuple]] = []
        self.rest_accepted = False

    def __call__(self, event: events.SessionEvent) -> None:
        if isinstance(event, events.SessionUpdated):
            return  # every picture's view: the driver keeps those itself
        self.all.append(event)
        if isinstance(event, events.RestingMeasured):
            self.rest_accepted = event.accepted
        if type(event) in _NAMED:
            name, fields = _NAMED[type(event)]
            self.events.append((name, tuple(getattr(event, field) for field in fields)))

    def of(self, kind: type) -> list:
        """Every event of this kind, in order."""
        return [event for event in self.all if isinstance(event, kind)]

    def named(self, name: str) -> list[tuple]:
        return [args for event, args in self.events if event == name]

    def names(self) -> list[str]:
        return [event if event != "prompt" else f"prompt:{args[0]}" for event, args in self.events]


class Driver:
    """Feeds a session real frames by clip index, one per 1/fps seconds."""

    def __init__(
        self,
        clip: Clip,
        programme: Programme,
        timing: SessionTiming = FAST,
        keep_snapshots: bool = False,
        eyes_closed_cue: str = "tones",
    ) -> None:
        self.clip = clip
        self.recorder = Recorder()
        #: the live session's controller, as the app's processing thread drives it
        self.controller = SessionController(timing, clip.fps)
        #: the session's events (the recorder hears them; a test may subscribe the records too)
        self.stream = self.controller.events
        self.stream.subscribe(self.recorder)
        self.controller.send(Start(origin=Origin.APP, programme=programme, keep_pictures=keep_snapshots,
                                   eyes_closed_cue=eyes_closed_cue))  # fmt: skip
        self.controller.apply_commands()
        assert self.controller.session is not None
        self.session = self.controller.session
        self.frame_number = 0
        self.offset_s = 0.0
        self.views: list[SessionView] = []
        self.times: list[float] = []
        #: the clip's frame number fed at each of `times`
        self.fed: list[int] = []

    @property
    def now(self) -> float:
        return self.offset_s + self.frame_number / self.clip.fps

    def feed(self, indices: Iterable[int]) -> SessionView:
        for i in indices:
            self.times.append(self.now)
            self.fed.append(i)
            image, faces, chosen = self.clip.images[i], self.clip.faces[i], self.clip.chosen[i]
            self.controller.process(self.now, image, faces, chosen)
            self.views.append(self.session.view())
            self.frame_number += 1
        return self.views[-1]

    def feed_until(
        self, indices: Iterable[int], done: Callable[[SessionView], bool], max_s: float = 15.0
    ) -> SessionView:
        """Feed frames from `indices` (cycled) until `done(view)`; fail if it never happens."""
        for count, i in enumerate(itertools.cycle(indices)):
            if count > max_s * self.clip.fps:
                raise AssertionError(f"not reached after {max_s} s; stuck in {self.views[-1].phase}")
            if done(self.feed([i])):
                return self.views[-1]
        raise AssertionError("unreachable")

    def exercise_until(self, done: Callable[[SessionView], bool], max_s: float = 30.0) -> SessionView:
        """Feed frames as a person doing the exercise would: the broad smile each time a
        repetition's "now" begins, the resting face otherwise, until `done(view)`."""
        deadline = self.now + max_s
        resting = itertools.cycle(REST)
        while self.now < deadline:
            before = self.views[-1].phase if self.views else None
            view = self.feed([next(resting)])
            if done(view):
                return view
            if view.phase is Phase.MOVE and before is not Phase.MOVE:
                for i in SMILE:
                    if done(self.feed([i])):
                        return self.views[-1]
        raise AssertionError(f"not reached after {max_s} s; stuck in {self.views[-1].phase}")

    def wait_without_frames(self, seconds: float) -> None:
        """The camera delivers nothing for a while (unplugged)."""
        self.offset_s += seconds


def phases_of(views: list[SessionView]) -> list[Phase]:
    return [phase for phase, _ in itertools.groupby(view.phase for view in views)]


def reached(*phases: Phase) -> Callable[[SessionView], bool]:
    return lambda view: view.phase in phases


def calibrating(clip: Clip, programme: Programme | None = None) -> Driver:
    driver = Driver(clip, programme or programme_of(big_smile()))
    driver.feed_until(REST, reached(Phase.CALIBRATING))
    return driver
