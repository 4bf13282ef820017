"""One section per exercise of the session: the target asked for, the means, the picture at the peak
(when one was kept), a bar chart of each repetition per side and the table of repetitions."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from coach.base.formats import number_text, short_number_text
from coach.base.i18n import N_, tr, trn
from coach.base.palette import BAND_COLOUR, LEFT_COLOUR, LEFT_LABEL, RIGHT_COLOUR, RIGHT_LABEL
from coach.measure.measures import measure_label
from coach.plans.shown_names import shown_exercise_name
from coach.records.models import ExerciseRecord
from coach.records.trends import exercise_means, target_band_mm, target_symmetry
from coach.reports.pdf.flow import Block, Column, RowStyle, Section, Table, heading, paragraph, spacer
from coach.reports.pdf.layout import (
    CONTENT_W,
    MARGIN_X,
    MUTED_TEXT,
    PAGE_H,
    PAGE_W,
    SMALL_PT,
    chart_axes,
    draw_text,
    fx,
    fy,
    line_height,
    text_width,
    wrap,
)
from coach.reports.pdf.wording import (
    DASH,
    mm_text,
    percent_text,
    seconds_text,
    status_text,
    weaker_side_text,
)
from coach.reports.pictures import draw_measured_regions
from coach.reports.steering_log import set_aside_count, set_aside_words
from coach.session.snapshots import Snapshot

#: the legend of the bars of repetitions set aside (short: the legend has one line; the note under the table says more)
SET_ASIDE_LEGEND = N_("Not counted")
#: under the table of an exercise with repetitions set aside
SET_ASIDE_NOTE = N_(
    "Grey and struck through: set aside by the therapist during the session, why under the row. Such a "
    "repetition is kept here, but it is not part of the summary above, of the overview on page 1 or of the "
    "progress charts."
)
#: the fill of a set-aside repetition's bars
SET_ASIDE_FILL = "#E4E4E4"
#: why the picture was kept: chosen by the patient at home; ticked by the clinician (with consent) for a video
SNAPSHOT_NOTE = {
    "live": N_(
        "Snapshot at the peak, kept at the patient's request. As the camera saw it, not mirrored: the patient's "
        "right side (R) is on the left of the picture, their left side (L) on the right. Outlined: the regions "
        "measured, the patient's left in blue, their right in orange."
    ),
    "recorded": N_(
        "Snapshot at the peak of the recorded video, kept by the clinic with the patient's consent. As the camera "
        "saw it, not mirrored: the patient's right side (R) is on the left of the picture, their left side (L) on "
        "the right. Outlined: the regions measured, the patient's left in blue, their right in orange."
    ),
}


def _snapshot_block(snapshot: Snapshot, kind: str) -> Block:
    """The snapshot as the camera saw it (not mirrored) with the measured regions drawn,
    its sides named for the reader."""
    picture = np.asarray(snapshot.picture_rgb)
    if picture.ndim != 3 or picture.shape[2] != 3 or 0 in picture.shape or picture.dtype != np.uint8:
        raise ValueError(
            f"a snapshot is an RGB picture (rows, columns, 3) of bytes, not {picture.dtype} {picture.shape}"
        )
    picture = draw_measured_regions(snapshot)
    step = max(1, math.ceil(max(picture.shape[:2]) / 900))  # enough for print, small in the file
    picture = picture[::step, ::step]
    rows, cols = picture.shape[:2]
    height = min(2.6, 0.6 * CONTENT_W * rows / cols)
    width = height * cols / rows
    # name the sides under the picture in full when there is room, else by their initials
    right_side, left_side = f"◀ {tr(RIGHT_LABEL)}", f"{tr(LEFT_LABEL)} ▶"
    if text_width(right_side + left_side, SMALL_PT) + 0.2 > width:
        right_side, left_side = "◀ R", "L ▶"
    note_x = MARGIN_X + width + 0.2
    note = wrap(tr(SNAPSHOT_NOTE.get(kind, SNAPSHOT_NOTE["live"])), CONTENT_W - width - 0.2, SMALL_PT)
    caption_h = line_height(SMALL_PT) + 0.05

    def draw(fig: Figure, y: float) -> None:
        ax = fig.add_axes((fx(MARGIN_X), fy(y + height), width / PAGE_W, height / PAGE_H))
        ax.imshow(picture, interpolation="antialiased")
        ax.set_axis_off()
        draw_text(fig, MARGIN_X, y + height + 0.04, right_side, SMALL_PT)
        draw_text(fig, MARGIN_X + width, y + height + 0.04, left_side, SMALL_PT, ha="right")
        for line, text in enumerate(note):
            draw_text(fig, note_x, y + line * line_height(SMALL_PT), text, SMALL_PT)

    return Block(max(height + caption_h, len(note) * line_height(SMALL_PT)) + 0.15, draw)


def _repetition_chart(exercise: ExerciseRecord) -> Block:
    """Grouped bars, patient's left vs right, per repetition, over the target band; the repetitions
    set aside in grey, so the eye does not take them for part of the result."""
    numbers = np.array([record.number for record in exercise.repetitions], dtype=float)
    left = np.array([record.repetition.left_mm for record in exercise.repetitions], dtype=float)
    right = np.array([record.repetition.right_mm for record in exercise.repetitions], dtype=float)
    counts = np.array([record.counts for record in exercise.repetitions], dtype=bool)
    band = target_band_mm(exercise)
    height = 2.45

    def draw(fig: Figure, y: float) -> None:
        ax = chart_axes(fig, MARGIN_X + 0.65, y + 0.38, CONTENT_W - 0.75, height - 0.85)
        if band is not None:
            ax.axhspan(band[0], band[1], color=BAND_COLOUR, alpha=0.3, linewidth=0, label=tr("Target range"))
        shown = numbers[counts]
        ax.bar(shown - 0.2, left[counts], 0.38, color=LEFT_COLOUR, edgecolor="black", linewidth=0.5,
               label=tr(LEFT_LABEL))  # fmt: skip
        ax.bar(
            shown + 0.2, right[counts], 0.38, color=RIGHT_COLOUR, edgecolor="black", linewidth=0.5, hatch="///",
            label=tr(RIGHT_LABEL),
        )  # fmt: skip
        if not counts.all():
            aside = {"color": SET_ASIDE_FILL, "edgecolor": MUTED_TEXT, "linewidth": 0.6, "linestyle": "--"}
            set_aside = numbers[~counts]
            ax.bar(set_aside - 0.2, left[~counts], 0.38, **aside, label=tr(SET_ASIDE_LEGEND))
            ax.bar(set_aside + 0.2, right[~counts], 0.38, hatch="///", **aside)
        top = np.nanmax(np.concatenate([left, right, [band[1] if band else 0.0, 1.0]]))
        bottom = min(0.0, float(np.nanmin(np.concatenate([left, right]))))
        ax.set_ylim(bottom * 1.1, top * 1.12)
        ax.set_xlim(numbers.min() - 0.6, numbers.max() + 0.6)
        ax.set_xticks(numbers)
        for label, counted in zip(ax.get_xticklabels(), counts, strict=True):
            label.set_color("black" if counted else MUTED_TEXT)
        ax.set_xlabel(tr("Repetition"), fontsize=SMALL_PT)
        ax.set_ylabel(tr("Peak movement (mm)"), fontsize=SMALL_PT)
        ax.grid(axis="y", color="#CCCCCC", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=4, fontsize=SMALL_PT, frameon=False, borderaxespad=0.0
        )

    return Block(height, draw)


def _repetition_table(number: int, exercise: ExerciseRecord) -> Table:
    """One row per repetition; one column per watched synkinesis measure, sharing the room left."""
    watched: list[str] = []
    for record in exercise.repetitions:
        watched += [name for name in record.repetition.synkinesis if name not in watched]
    columns = [
        Column("#", 0.35),
        Column(tr("Left (patient's) mm"), 0.82),
        Column(tr("Right (patient's) mm"), 0.82),
        Column(tr("Symmetry"), 0.82),
        Column(tr("Weaker side (patient's)"), 0.9, "left"),
        Column(tr("Hold s"), 0.55),
        Column(tr("Complete"), 0.8, "center"),
    ]
    room = CONTENT_W - sum(column.width for column in columns)
    for name in watched:
        title = tr("{measure} % Left / Right (patient's)", measure=measure_label(name))
        columns.append(Column(title, room / len(watched), "center"))
    rows, styles = [], []
    for record in exercise.repetitions:
        styles.append(RowStyle(struck=not record.counts, note=set_aside_words(record) or ""))
        rep = record.repetition
        row = [
            str(record.number),
            mm_text(rep.left_mm),
            mm_text(rep.right_mm),
            percent_text(rep.symmetry),
            weaker_side_text(rep.weaker_side, rep.symmetry, short=True),
            seconds_text(rep.hold_s),
            tr("yes") if rep.complete else tr("no"),
        ]
        for name in watched:
            sides = rep.synkinesis.get(name)
            row.append(DASH if not sides else f"{sides.get('left', math.nan):.0f} / {sides.get('right', math.nan):.0f}")
        rows.append(row)
    return Table(
        columns,
        rows,
        caption=tr(
            "{number}. {exercise}: repetitions",
            number=number,
            exercise=shown_exercise_name(exercise.exercise_id, exercise.exercise_name),
        ),
        styles=styles,
    )


def _target_text(exercise: ExerciseRecord) -> str:
    """What the therapist asked for, as one phrase (DASH when nothing was set)."""
    band = target_band_mm(exercise)
    wanted_symmetry = target_symmetry(exercise)
    target = exercise.target
    asked = []
    if band is not None:
        low, high = number_text(band[0]), number_text(band[1])
        asked.append(tr("movement {low}–{high} mm on each side", low=low, high=high))
    if wanted_symmetry is not None:
        asked.append(tr("symmetry at least {percent}", percent=percent_text(wanted_symmetry)))
    if target.get("repetitions"):
        asked.append(tr("{count} repetitions", count=target["repetitions"]))
    if target.get("hold_s"):
        asked.append(tr("hold {seconds} s", seconds=short_number_text(float(target["hold_s"]))))
    if target.get("relax_s"):
        asked.append(tr("relax {seconds} s", seconds=short_number_text(float(target["relax_s"]))))
    return ", ".join(asked) if asked else DASH  # a list of what was asked, each item translated whole


def _repetitions(number: int, exercise: ExerciseRecord) -> list[Block | Table]:
    """The chart and table of repetitions, or why there are none."""
    if exercise.repetitions:
        items: list[Block | Table] = [_repetition_chart(exercise), _repetition_table(number, exercise)]
        if set_aside_count([exercise]):
            items.append(paragraph(tr(SET_ASIDE_NOTE), SMALL_PT))
        if not all(record.repetition.complete for record in exercise.repetitions):
            items.append(
                paragraph(tr("Complete “no”: the repetition was cut off (face lost or the recording ended)."), SMALL_PT)
            )
        return items
    if exercise.primary_measure is None:
        return [paragraph(tr("A resting-face exercise: its measures are in the resting face table on page 1."))]
    return [paragraph(tr("Repetitions: {dash} (none were recorded for this exercise).", dash=DASH))]


#: what was asked of an exercise, and the same when the therapist changed it while it ran
TARGET = N_("Therapist's target: {target}.")
TARGET_CHANGED = N_(
    "Therapist's target at the start: {target}; changed while it ran (see the therapist's notes and changes)."
)


def exercise_section(
    number: int, exercise: ExerciseRecord, snapshot: Snapshot | None, kind: str = "live", target_changed: bool = False
) -> Section:
    """The exercise numbered `number` in the session, with its picture at the peak if one was kept
    (`kind`: the session's, "live" or "recorded": who kept the picture, and why; `target_changed`:
    the therapist changed what was asked while it ran, so the target at its start is said to be so)."""
    means = exercise_means(exercise)
    items: list[Block | Table] = [
        heading(f"{number}. {shown_exercise_name(exercise.exercise_id, exercise.exercise_name)}"),
        paragraph(
            tr(
                "Exercise {exercise}; measured: {measure}; status: {status}.",
                exercise=exercise.exercise_id,
                measure=measure_label(exercise.primary_measure) if exercise.primary_measure else DASH,
                status=status_text(exercise.status),
            ),
            after=0.02,
        ),
        paragraph(tr(TARGET_CHANGED if target_changed else TARGET, target=_target_text(exercise)), after=0.02),
        paragraph(
            trn(
                "Summary: {count} repetition; mean peak Left (patient's) {left} mm, Right (patient's) "
                "{right} mm; symmetry {symmetry}; weaker side: {weaker}.",
                "Summary: {count} repetitions; mean peak Left (patient's) {left} mm, Right (patient's) "
                "{right} mm; symmetry {symmetry}; weaker side: {weaker}.",
                means.reps,
                left=mm_text(means.left_mm),
                right=mm_text(means.right_mm),
                symmetry=percent_text(means.symmetry),
                weaker=weaker_side_text(means.weaker_side, means.symmetry),
            ),
            after=0.12,
        ),
    ]
    if snapshot is not None:
        items.insert(1, _snapshot_block(snapshot, kind))
    items += _repetitions(number, exercise)
    items.append(spacer(0.2))
    return Section(items)
