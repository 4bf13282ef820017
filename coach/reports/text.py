"""The readable summary `facecoach analyze` prints: anatomical sides, mm, plain words.

In the user's language (`tr`), numbers with its decimal mark; columns widen to fit the
longest word or value, so the table stays aligned in every language.
"""

from __future__ import annotations

from coach.base.formats import number_text
from coach.base.i18n import N_, tr, trn
from coach.base.palette import SIDE_WORDS, weaker_side_word
from coach.measure.geometry import IRIS_DIAMETER_MM
from coach.measure.measures import DURING_HOLD, STATIC_MEASURES, measure_label
from coach.session.analysis import Analysis
from coach.session.engine import Repetition

_LIP_CENTRE = N_("lip centre off midline")


#: the repetition table's columns after "#", with their narrowest widths
_REP_COLUMNS = (
    (N_("start"), 6), (N_("peak"), 6), (N_("end"), 6), (SIDE_WORDS["left"], 6), (SIDE_WORDS["right"], 6),
    (N_("sym"), 5), (N_("weaker"), 6), (N_("hold"), 5),
)  # fmt: skip


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else number_text(value, digits)


def _source_line(result: Analysis) -> str:
    track = result.track
    fields = {
        "measured": len(track.frames_with_face),
        "start": number_text(result.neutral.start_s, 2),
        "end": number_text(result.neutral.end_s, 2),
        "scale": number_text(result.resting_face.mm_per_px, 3),
        "iris": number_text(IRIS_DIAMETER_MM, 1),
    }
    if track.fps <= 0:  # a photo has no frame rate: say "1 image", not "1 frame(s) at 0.0 fps"
        return trn(
            "{images} image, face measured in {measured}; neutral {start}-{end} s; scale {scale} "
            "mm/px (iris = {iris} mm)",
            "{images} images, face measured in {measured}; neutral {start}-{end} s; scale {scale} "
            "mm/px (iris = {iris} mm)",
            track.frames,
            images=track.frames,
            **fields,
        )
    return trn(
        "{frames} frame at {fps} fps, face measured in {measured}; neutral {start}-{end} s; "
        "scale {scale} mm/px (iris = {iris} mm)",
        "{frames} frames at {fps} fps, face measured in {measured}; neutral {start}-{end} s; "
        "scale {scale} mm/px (iris = {iris} mm)",
        track.frames,
        frames=track.frames,
        fps=number_text(track.fps, 1),
        **fields,
    )


def _resting_lines(result: Analysis) -> list[str]:
    labels = {name: measure_label(name) for name in STATIC_MEASURES}
    label_w = max(26, *(len(label) + 1 for label in [*labels.values(), tr(_LIP_CENTRE)]))
    left, right, difference = tr(SIDE_WORDS["left"]), tr(SIDE_WORDS["right"]), tr("L-R")
    value_w = max(7, len(left) + 1, len(right) + 1)
    lines = [
        tr("Resting face (mm; left/right are the patient's own)"),
        f"  {'':{label_w}}{left:>{value_w}}{right:>{value_w}}{difference:>{value_w}}",
    ]
    for name, label in labels.items():
        sides = result.static[name]
        values = (
            number_text(sides["left"]),
            number_text(sides["right"]),
            number_text(sides["difference"], signed=True),
        )
        lines.append(f"  {label:{label_w}}" + "".join(f"{value:>{value_w}}" for value in values))
    offset = result.lip_centre_offset_mm
    distance = f"{number_text(abs(offset)):>{value_w}}"
    towards = (
        tr("{distance} mm towards the left", distance=distance)
        if offset > 0
        else tr("{distance} mm towards the right", distance=distance)
    )
    lines.append(f"  {tr(_LIP_CENTRE):{label_w}}{towards}")
    return lines


def _rep_cells(rep: Repetition) -> list[str]:
    return [
        _num(rep.start_s, 2), _num(rep.peak_s, 2), _num(rep.end_s, 2), _num(rep.left_mm), _num(rep.right_mm),
        _num(rep.symmetry, 2), weaker_side_word(rep.weaker_side), _num(rep.hold_s),
    ]  # fmt: skip


def _synkinesis_text(rep: Repetition) -> str:
    return ", ".join(
        f"{measure_label(name)} L{sides['left']:.0f} R{sides['right']:.0f}" for name, sides in rep.synkinesis.items()
    )


def _aligned(first: str, cells: list[str], widths: list[int], rest: str) -> str:
    return f"  {first:>2} " + " ".join(f"{cell:>{width}}" for cell, width in zip(cells, widths, strict=True)) + rest


def _during_hold_lines(result: Analysis, rep: Repetition) -> list[str]:
    lines = []
    for name in DURING_HOLD.get(result.exercise.primary[0], ()):
        if name in rep.measures:
            sides = rep.measures[name]
            text = tr(
                "{measure}: left {left} mm, right {right} mm",
                measure=measure_label(name),
                left=number_text(sides["left"]),
                right=number_text(sides["right"]),
            )
            lines.append(f"{'':6}{text}")
    return lines


def _repetition_lines(result: Analysis) -> list[str]:
    lines = ["", tr("Repetitions ({measure}, peak per side)", measure=result.exercise.primary[0])]
    if not result.reps:
        return [*lines, "  " + tr("none found")]
    titles = [tr(title) for title, _width in _REP_COLUMNS]
    rows = [_rep_cells(rep) for rep in result.reps]
    widths = [
        max(width, len(title), *(len(row[index]) for row in rows))
        for index, ((_title, width), title) in enumerate(zip(_REP_COLUMNS, titles, strict=True))
    ]
    lines.append(_aligned("#", titles, widths, "  " + tr("synkinesis (% of rest)")))
    for number, (rep, cells) in enumerate(zip(result.reps, rows, strict=True), 1):
        flag = "" if rep.complete else " " + tr("(cut off)")
        lines.append(_aligned(str(number), cells, widths, f"  {_synkinesis_text(rep)}{flag}"))
        lines += _during_hold_lines(result, rep)
    return lines


def _summary_lines(result: Analysis) -> list[str]:
    s = result.summary
    if not s.reps:
        return []
    return [
        "",
        trn(
            "Summary: {count} repetition; left {left} mm, right {right} mm; symmetry {symmetry}; "
            "weaker side: {weaker} (sides within measurement noise, {noise} mm or 5 % of the "
            "movement, count as even)",
            "Summary: {count} repetitions; left {left} mm, right {right} mm; symmetry {symmetry}; "
            "weaker side: {weaker} (sides within measurement noise, {noise} mm or 5 % of the "
            "movement, count as even)",
            s.reps,
            left=_num(s.left_mm),
            right=_num(s.right_mm),
            symmetry=_num(s.symmetry, 2),
            weaker=weaker_side_word(s.weaker_side),
            noise=number_text(result.noise_mm, 1),
        ),
    ]


def format_analysis(result: Analysis) -> str:
    exercise = result.exercise
    lines = [
        f"{result.track.source}: {exercise.name} ({exercise.id})",
        _source_line(result),
        "",
        *_resting_lines(result),
    ]
    if exercise.is_static:
        return "\n".join(lines)
    return "\n".join(lines + _repetition_lines(result) + _summary_lines(result))
