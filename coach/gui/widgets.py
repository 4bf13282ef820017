"""Custom-drawn widgets: the camera picture with overlay, the per-side bars, and a
simple illustration of each exercise."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from coach.base.formats import number_text
from coach.base.i18n import N_, tr
from coach.gui.labels import sized_font
from coach.gui.theme import CAUTION_TEXT, GOOD_TEXT, WARNING_TEXT
from coach.measure.measures import BROW, LOWER_LID, LOWER_LIP_LATERAL, MOUTH_CORNER, UPPER_LID, UPPER_LIP_LATERAL
from coach.session.feedback import Feedback

GOOD = QColor(GOOD_TEXT)
CAUTION = QColor(CAUTION_TEXT)
WARNING = QColor(WARNING_TEXT)
IDLE = QColor("#7f8c8d")
#: behind white words from the therapist (a blue, 6:1 against white: read at a glance)
NOTICE = QColor("#1f5fa8")
#: the patient's own sides, as labelled on screen
YOUR_SIDE = {"left": N_("Your left"), "right": N_("Your right")}
#: the same for the side of the palsy (the patient's records say which), under its bar
YOUR_AFFECTED_SIDE = {"left": N_("Your left (affected)"), "right": N_("Your right (affected)")}
STATUS_COLOURS = {"good": GOOD, "caution": CAUTION, "too_much": CAUTION, "idle": IDLE}

#: landmarks drawn in the overlay: the regions that are measured
_MEASURED = (BROW, UPPER_LID, LOWER_LID, MOUTH_CORNER, UPPER_LIP_LATERAL, LOWER_LIP_LATERAL)
OVERLAY_REGIONS = [index for region in _MEASURED for side in region for index in side]


class _PaintedWidget(QWidget):
    """A widget drawn by `_paint`; the painter is always ended, even if drawing fails
    (a painter left open crashes Qt)."""

    def paintEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        raise NotImplementedError


class VideoView(_PaintedWidget):
    """The camera picture, mirrored like a mirror by default, with optional overlay and
    the patient's own left/right labelled on the correct sides."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 270)
        self.mirrored = True
        self.show_overlay = False
        self.face_px: np.ndarray | None = None
        self.message = tr("Starting the camera…")
        #: what a therapist just changed, in plain words, over the bottom of the picture ("" none)
        self.notice = ""
        self._image: QImage | None = None
        self._frame: np.ndarray | None = None
        self._image_size = (0, 0)

    def set_frame(self, image_rgb: np.ndarray, face_px: np.ndarray | None) -> None:
        if image_rgb.shape[1] < 2:  # a placeholder while paused without a camera
            return
        self._frame = image_rgb
        self.face_px = face_px
        self.message = ""
        self._make_image()
        self.update()

    def set_overlay(self, shown: bool) -> None:
        """Draw the measured regions' landmarks over the face, or not."""
        self.show_overlay = shown
        self.update()

    def set_mirrored(self, mirrored: bool) -> None:
        self.mirrored = mirrored
        if self._frame is not None:
            self._make_image()
        self.update()

    def _make_image(self) -> None:
        frame = self._frame[:, ::-1] if self.mirrored else self._frame
        height, width = frame.shape[:2]
        # QImage keeps pointing at the bytes it is given: keep them alive beside it
        self._pixels = np.ascontiguousarray(frame).tobytes()
        self._image = QImage(self._pixels, width, height, 3 * width, QImage.Format.Format_RGB888)
        self._image_size = (width, height)

    def clear(self, message: str) -> None:
        self._image = None
        self._frame = None
        self.message = message
        self.update()

    def _target_rect(self) -> QRectF:
        width, height = self._image_size
        scale = min(self.width() / width, self.height() / height)
        w, h = width * scale, height * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def screen_side_of(self, side: str) -> str:
        """Which side of the screen shows the patient's `side` ("left"/"right")."""
        # unmirrored camera: the patient's right is on the picture's left
        on_left = side == "right"
        if self.mirrored:
            on_left = not on_left
        return "left" if on_left else "right"

    def _paint(self, painter: QPainter) -> None:
        painter.fillRect(self.rect(), QColor("#1e1e1e"))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._image is None:
            painter.setPen(QColor("white"))
            painter.setFont(sized_font(self.font(), 16))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect().adjusted(20, 20, -20, -20), flags, self.message)
            return
        target = self._target_rect()
        painter.drawImage(target, self._image)
        scale = target.width() / self._image_size[0]
        if self.show_overlay and self.face_px is not None:
            painter.setPen(QPen(QColor(0, 220, 255), 2))
            # plain floats: shiboken mishandles NumPy scalars (a crash seen with NumPy 2)
            for x, y in self.face_px[OVERLAY_REGIONS, :2].tolist():
                if self.mirrored:
                    x = self._image_size[0] - x
                painter.drawEllipse(QPointF(target.left() + x * scale, target.top() + y * scale), 2.5, 2.5)
        # anatomical side labels, on the side of the screen where that side appears
        for text, box, font in self.text_boxes():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 150))
            painter.drawRoundedRect(box, 6, 6)
            painter.setPen(QColor("white"))
            painter.setFont(font)
            painter.drawText(box, _CENTRED_WRAPPED, text)
        if self.notice:
            self._paint_notice(painter, target)

    def set_notice(self, text: str) -> None:
        """Show a therapist's change over the picture (where the patient looks), or none ("")."""
        if text != self.notice:
            self.notice = text
            self.setAccessibleDescription(text)  # (a screen reader reads what is painted)
            self.update()

    def _paint_notice(self, painter: QPainter, target: QRectF) -> None:
        """The notice in white on blue across the bottom of the picture, wrapped, never cut: it
        covers no bar and no label, and grows upwards as long as its words need."""
        font = sized_font(self.font(), 16, bold=True)
        painter.setFont(font)
        room = target.adjusted(16, 16, -16, -16)
        needed = QFontMetrics(font).boundingRect(room.toRect(), _CENTRED_WRAPPED, self.notice)
        box = QRectF(room.left(), room.bottom() - needed.height() - 16, room.width(), needed.height() + 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(NOTICE)
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(QColor("white"))
        painter.drawText(box.adjusted(8, 8, -8, -8), _CENTRED_WRAPPED, self.notice)

    def text_boxes(self) -> list[tuple[str, QRectF, QFont]]:
        """The side labels: (text, where, font), each on its side of the picture; one under the
        other when side by side they would touch (long words, large text, a narrow picture); in
        smaller letters, down to 8 points, when even so they would not fit on the picture."""
        if self._image is None:
            return []
        target = self._target_rect()
        for size in range(14, 7, -1):
            boxes = self._side_label_boxes(target, sized_font(self.font(), size, bold=True))
            if all(target.contains(box) for _, box, _ in boxes):
                break
        return boxes

    def _side_label_boxes(self, target: QRectF, font: QFont) -> list[tuple[str, QRectF, QFont]]:
        metrics = QFontMetrics(font)
        boxes: list[tuple[str, QRectF, QFont]] = []
        for side in ("right", "left"):
            text = tr(YOUR_SIDE[side])
            width = min(metrics.horizontalAdvance(text) + 20, target.width() - 20)
            height = _wrapped_height(metrics, text, width - 20) + 10
            on_left = self.screen_side_of(side) == "left"
            x = target.left() + 10 if on_left else target.right() - 10 - width
            box = QRectF(x, target.top() + 10, width, height)
            if boxes and boxes[0][1].adjusted(-8, 0, 8, 0).intersects(box):
                box.moveTop(boxes[0][1].bottom() + 6)
            boxes.append((text, box, font))
        return boxes


class SideBars(_PaintedWidget):
    """Two vertical bars, one per side, against the exercise's target band; arranged
    like the face on screen, so the bar on the left belongs to the side seen on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(260, 220)
        self.feedback: Feedback | None = None
        self.left_side_on_screen_left = False  # mirrored display: patient's left on screen left
        #: the side of the palsy, marked under its bar ("left", "right"; None: not known or both)
        self.affected_side: str | None = None

    def set_feedback(self, feedback: Feedback | None, left_side_on_screen_left: bool) -> None:
        self.feedback = feedback
        self.left_side_on_screen_left = left_side_on_screen_left
        self.update()

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        feedback = self.feedback
        full_scale = max(12.0, (feedback.target_mm[1] * 1.5) if feedback else 12.0)
        boxes = self.text_boxes()
        top = boxes[0][1].bottom() + 4 if feedback is not None else self._value_height() + 4
        bottom = boxes[-1][1].top() - 4
        for frame, side in self._bars(top, bottom):
            painter.setPen(QPen(QColor("#999"), 1))
            painter.setBrush(QColor("#f2f2f2"))
            painter.drawRect(frame)
            if feedback is not None:

                def y_of(mm: float, frame: QRectF = frame) -> float:
                    return frame.bottom() - min(max(mm, 0.0), full_scale) / full_scale * frame.height()

                low, high = feedback.target_mm
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(46, 139, 87, 50))
                painter.drawRect(QRectF(frame.left(), y_of(high), frame.width(), y_of(low) - y_of(high)))
                value = feedback.left_mm if side == "left" else feedback.right_mm
                painter.setBrush(STATUS_COLOURS.get(feedback.status, IDLE))
                bar = QRectF(frame.left() + frame.width() * 0.2, y_of(value), frame.width() * 0.6, 0)
                painter.drawRect(bar.adjusted(0, 0, 0, frame.bottom() - y_of(value)))
        painter.setPen(QColor("#222"))
        for text, box, font in boxes:
            painter.setFont(font)
            painter.drawText(box, _CENTRED_WRAPPED, text)

    def _bars(self, top: float, bottom: float) -> list[tuple[QRectF, str]]:
        """Each side's bar frame, left to right on the screen."""
        sides = ["left", "right"] if self.left_side_on_screen_left else ["right", "left"]
        bar_w = (self.width() - 60) / 2
        return [(QRectF(20 + i * (bar_w + 20), top, bar_w, bottom - top), side) for i, side in enumerate(sides)]

    def _value_height(self) -> float:
        return QFontMetrics(sized_font(self.font(), 13)).height() + 6

    def text_boxes(self) -> list[tuple[str, QRectF, QFont]]:
        """What is written: each side's value above its bar (when measuring) and its name below,
        wrapped to the bar's width; the names' height follows the text size."""
        value_font, name_font = sized_font(self.font(), 13), sized_font(self.font(), 13, bold=True)
        words = {**YOUR_SIDE, **{k: v for k, v in YOUR_AFFECTED_SIDE.items() if k == self.affected_side}}
        bars = [(frame, side, tr(words[side])) for frame, side in self._bars(0, 0)]
        metrics = QFontMetrics(name_font)
        name_h = max(_wrapped_height(metrics, name, frame.width()) for frame, _, name in bars) + 4
        boxes: list[tuple[str, QRectF, QFont]] = []
        if self.feedback is not None:
            for frame, side, _ in bars:
                value = self.feedback.left_mm if side == "left" else self.feedback.right_mm
                shown = f"{number_text(max(value, 0), 1)} mm"
                boxes.append((shown, QRectF(frame.left(), 0, frame.width(), self._value_height()), value_font))
        for frame, _, name in bars:
            boxes.append((name, QRectF(frame.left(), self.height() - name_h - 2, frame.width(), name_h), name_font))
        return boxes


def _wrapped_height(metrics: QFontMetrics, text: str, width: float) -> int:
    """The height `text` takes wrapped at word boundaries to `width` pixels."""
    return metrics.boundingRect(QRect(0, 0, max(int(width), 1), 10_000), _CENTRED_WRAPPED, text).height()


_CENTRED_WRAPPED = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap


#: how each primary measure moves, for the illustration: (feature, dx, dy) arrows
_ILLUSTRATION_MOVES = {
    "brow_lift_mm": ("brows", 0.0, -1.0),
    "brow_frown_mm": ("brows", -0.7, 0.5),
    "eye_closure_mm": ("eyes", 0.0, 1.0),
    "commissure_excursion_mm": ("mouth", 0.8, -0.6),
    "corner_medial_mm": ("mouth", -1.0, 0.0),
    "upper_lip_elevation_mm": ("upper lip", 0.0, -1.0),
    "lower_lip_depression_mm": ("lower lip", 0.0, 1.0),
}


class ExerciseIllustration(_PaintedWidget):
    """A simple face with arrows showing which way each side should move."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(150, 170)
        self.measure: str | None = None

    def set_measure(self, measure: str | None) -> None:
        self.measure = measure
        self.update()

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        size = min(w, h) * 0.9
        cx, cy = w / 2, h / 2
        painter.setPen(QPen(QColor("#555"), 2))
        painter.setBrush(QColor("#fde3c8"))
        painter.drawEllipse(QPointF(cx, cy), size * 0.38, size * 0.46)
        eye_y, brow_y, mouth_y = cy - size * 0.1, cy - size * 0.22, cy + size * 0.22
        for sx in (-1, 1):
            painter.setBrush(QColor("white"))
            painter.drawEllipse(QPointF(cx + sx * size * 0.14, eye_y), size * 0.07, size * 0.035)
            painter.drawLine(
                QPointF(cx + sx * size * 0.07, brow_y), QPointF(cx + sx * size * 0.22, brow_y - size * 0.02)
            )
        mouth = QPainterPath(QPointF(cx - size * 0.14, mouth_y))
        mouth.quadTo(QPointF(cx, mouth_y + size * 0.06), QPointF(cx + size * 0.14, mouth_y))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(mouth)
        move = _ILLUSTRATION_MOVES.get(self.measure or "")
        if move is None:
            return
        feature, dx, dy = move
        anchors = {
            "brows": (size * 0.15, brow_y - size * 0.02),
            "eyes": (size * 0.14, eye_y - size * 0.06),
            "mouth": (size * 0.15, mouth_y),
            "upper lip": (size * 0.07, mouth_y - size * 0.03),
            "lower lip": (size * 0.07, mouth_y + size * 0.05),
        }
        offset, y = anchors[feature]
        painter.setPen(QPen(GOOD, 3))
        length = size * 0.12
        for sx in (-1, 1):
            # dx is "outward" for positive values; mirror it for each side
            start = QPointF(cx + sx * offset, y)
            end = QPointF(start.x() + sx * dx * length, start.y() + dy * length)
            painter.drawLine(start, end)
            direction = np.array([end.x() - start.x(), end.y() - start.y()])
            direction /= max(np.linalg.norm(direction), 1e-6)
            normal = np.array([-direction[1], direction[0]])
            for side in (1, -1):
                tip = np.array([end.x(), end.y()]) - direction * 8 + side * normal * 5
                painter.drawLine(end, QPointF(float(tip[0]), float(tip[1])))
