"""Measured suggestions for every Sunnybrook and eFACE item: one rule per item, written beside it.

A suggestion is a measurement aid for the clinician, not a diagnosis: it says which value the
measurement points to, the numbers it read, the rule that turned them into the value, and
how sure it is. The rules come from the scales' own definitions and from what this project
has measured about its own error (docs/accuracy.md), never from the clips they are judged on.

* Voluntary movement and eFACE dynamic items read the affected side's excursion as a share of
  the healthy side's (eFACE's definition; Sunnybrook's five steps from "unable to initiate" to
  "complete" are read as 0, 1/4, 1/2, 3/4 and all of the healthy side's movement).
* Eye closure reads how far each lid closed as a share of its opening at rest; a lid whose gap
  is within the lid measurement's error of touching counts as closed.
* Synkinesis reads how much more a region the movement does not target moved on the affected
  side than on the healthy side (eye narrowing in a smile, the mouth pulled in an eye closure),
  in % of that region's size at rest. Both eyes narrow in a healthy broad smile: only the
  excess of one side over the other is synkinesis.
* Resting items read the static difference between the sides in mm. The mouth at rest is read from
  the corners' height only: a corner "pulled out" is judged against the facial midline, which the
  landmarks place poorly (healthy faces here read their half-mouths 2-4 mm apart while the lip
  centre sat as far off the midline), so that is left to the clinician's eye.
* Items a webcam cannot judge (the depth and orientation of the nasolabial fold, chin
  dimpling, neck bands) are "for the clinician", never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.base.i18n import N_
from coach.grading import scales
from coach.grading.evidence import ExaminationEvidence, MovementEvidence
from coach.measure.sides import weaker_side

#: Sunnybrook voluntary steps 1-5 are read as the affected side moving 0, 1/4, 1/2, 3/4 and all of
#: the healthy side's excursion (the scale's wording from "unable to initiate" to "complete",
#: spaced evenly as eFACE's 0-100 share is); a step begins halfway between two anchors
VOLUNTARY_STEP_EDGES = (0.125, 0.375, 0.625, 0.875)
#: how far a measured share of the healthy side's movement can be off: the mean symmetry error on
#: faces the method was not tuned on (docs/accuracy.md: smile 0.088, brow 0.079, eye 0.063), rounded up
SHARE_ERROR = 0.10
#: a healthy side moving less than this (mm) gives no share worth reading: the movement was not done
MIN_HEALTHY_MOVEMENT_MM = 1.0
#: a lid gap this small is a closed eye: more than twice the lid-gap error on held-back lids
#: (docs/accuracy.md: mean 0.39 mm, worst 1.30 mm on 54 eyes), a gap hard to tell from touching
CLOSED_GAP_MM = 1.0
#: Sunnybrook synkinesis 1 / 2 / 3 from this excess co-movement of the affected side (% of the
#: region at rest): mild from beyond the lid measurement's error (1 mm of a ~10 mm fissure),
#: moderate from where observers notice an asymmetry (about 3 mm, design notes), severe from
#: more than half of the region (a half-closed eye: the scale's "disfiguring")
SYNKINESIS_EDGES_PCT = (15.0, 30.0, 60.0)
#: how far a co-movement reading can be off, % of the region (the lids' 1 mm worst gap error)
SYNKINESIS_ERROR_PCT = 10.0
#: a resting difference of this many mm marks an eye or mouth corner as off (Sunnybrook 1): lay
#: observers notice about 3 mm (design notes); from 2 mm the clinician is asked to look
RESTING_EDGE_MM = 2.0
#: how far a static difference can be off: the droop benchmark's mean error (0.36-0.45 mm), rounded up
RESTING_ERROR_MM = 0.5

SURE = "sure"
NEAR_EDGE = "near_edge"
TOO_LITTLE = "too_little_movement"
FOR_CLINICIAN = "for_clinician"
NOT_EXAMINED = "not_examined"

#: what each certainty says to the clinician
CERTAINTY_WORDS = {
    SURE: N_("clear of the band edges"),
    NEAR_EDGE: N_("near a band edge, within the measurement's error: could be {alternative}"),
    TOO_LITTLE: N_("too little movement on either side to read a share: repeat the movement"),
    FOR_CLINICIAN: N_("for the clinician: a webcam cannot judge this"),
    NOT_EXAMINED: N_("not examined: the movement was not found in the recording"),
}

#: the rule behind each item, in words, shown beside the value (marked N_)
RULES: dict[str, str] = {
    "resting_eye": N_("1 when the eye openings at rest differ by {edge} mm or more"),
    "resting_cheek": N_("for the clinician"),
    "resting_mouth": N_("1 when the mouth corners at rest differ in height by {edge} mm or more"),
    "voluntary": N_("affected ÷ healthy excursion: below 0.125 → 1, 0.375 → 2, 0.625 → 3, 0.875 → 4, else 5"),
    "voluntary_eye": N_(
        "affected ÷ healthy share of the opening closed (a gap under {gap} mm counts as closed), "
        "banded as the other movements"
    ),
    "synkinesis": N_(
        "affected minus healthy side's co-movement, % of the region at rest: under 15 → 0, 30 → 1, 60 → 2, else 3"
    ),
    "static_brow": N_("100 − the brow heights' difference as % of the healthy side's brow height"),
    "static_palpebral_fissure": N_("100 − the eye openings' difference as % of the healthy side's opening"),
    "static_oral_commissure": N_("100 − the mouth corners' height difference as % of the healthy half-mouth width"),
    "dynamic": N_("100 × affected ÷ healthy excursion, at most 100"),
    "dynamic_eye": N_("100 × affected ÷ healthy share of the opening closed (a gap under {gap} mm counts as closed)"),
    "synkinesis_ocular": N_(
        "100 − the affected eye's extra narrowing (% of its opening) in smile, snarl, pucker or lower-lip "
        "movement, the most of them"
    ),
    "synkinesis_midfacial": N_(
        "100 − the affected mouth corner's extra pull (% of the half-mouth) in the eye closures, the most of them"
    ),
    "for_clinician": N_("for the clinician"),
}

#: what the measured reading of an item is (for the printout and the form)
READING_UNITS = {"share": "", "mm": "mm", "pct": "%"}

_EYE_CLOSURES = ("exam_gentle_eye_closure", "exam_full_eye_closure")
_MOUTH_MOVEMENTS = ("exam_smile", "exam_snarl", "exam_pucker", "exam_lower_lip")
_FOR_CLINICIAN = {
    "resting_cheek",
    "static_nasolabial_fold",
    "dynamic_nasolabial_fold_depth",
    "dynamic_nasolabial_fold_orientation",
    "synkinesis_mentalis",
    "synkinesis_platysmal",
}


@dataclass(frozen=True)
class Suggestion:
    """The value the measurement points to for one item, and why."""

    scale: str
    item: str
    #: None where the clinician grades it, or the movement was not examined
    value: int | None
    #: SURE, NEAR_EDGE, TOO_LITTLE, FOR_CLINICIAN or NOT_EXAMINED
    certainty: str
    #: the number the rule read (a share, mm or %), and its kind (READING_UNITS)
    reading: float | None = None
    reading_kind: str = "share"
    #: the numbers behind the reading, e.g. {"affected_mm": 3.1, "healthy_mm": 8.2}
    measured: dict[str, float] | None = None
    #: the value on the other side of a near band edge (or ± for eFACE's 0-100 items)
    alternative: int | None = None
    #: key into RULES
    rule: str = "for_clinician"

    def to_json(self) -> dict[str, object]:
        return {
            "value": self.value,
            "certainty": self.certainty,
            "reading": None if self.reading is None else round(self.reading, 3),
            "reading_kind": self.reading_kind,
            "measured": {k: round(v, 2) for k, v in (self.measured or {}).items()},
            "alternative": self.alternative,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Sides:
    """Which side is read as affected and where that came from ("record", "measured", "none")."""

    affected: str | None
    source: str

    def split(self, left: float, right: float) -> tuple[float, float]:
        """(affected, healthy) values; with no side known, the smaller one is read as affected."""
        if self.affected == "left":
            return left, right
        if self.affected == "right":
            return right, left
        return min(left, right), max(left, right)


def affected_sides(evidence: ExaminationEvidence) -> Sides:
    """The recorded affected side, else the side weaker in more of the movements (beyond the noise),
    when the movements are uneven beyond the measurement's error: on average the weaker side moves
    less than 1 - 2 x SHARE_ERROR of the stronger (a healthy face, unevenly as natural faces move,
    has no affected side)."""
    if evidence.affected_side in ("left", "right"):
        return Sides(evidence.affected_side, "record")
    moved = [m for m in evidence.movements.values() if max(m.left_mm, m.right_mm) > 0]
    weaker = [weaker_side(m.left_mm, m.right_mm, m.noise_mm) for m in moved]
    lefts, rights = weaker.count("left"), weaker.count("right")
    shares = [max(0.0, min(m.left_mm, m.right_mm)) / max(m.left_mm, m.right_mm) for m in moved]
    if lefts == rights or not shares or sum(shares) / len(shares) >= 1 - 2 * SHARE_ERROR:
        return Sides(None, "none")
    return Sides("left" if lefts > rights else "right", "measured")


def _step(share: float, edges: tuple[float, ...], first: int) -> int:
    return first + sum(1 for edge in edges if share >= edge)


def _banded(share: float, error: float, edges: tuple[float, ...], first: int) -> tuple[int, str, int | None]:
    """(value, certainty, alternative): the band the reading falls in, and the neighbour within its error."""
    value = _step(share, edges, first)
    near = [edge for edge in edges if abs(share - edge) < error]
    if not near:
        return value, SURE, None
    edge = min(near, key=lambda e: abs(share - e))
    alternative = value - 1 if share >= edge else value + 1
    return value, NEAR_EDGE, alternative


def _closure_share(movement: MovementEvidence, rest: dict[str, dict[str, float]], side: str) -> float:
    """Share of the eye's resting opening closed at the peak (1 when the gap is within error of shut)."""
    gap = (movement.residual_gap_mm or {}).get(side)
    if gap is not None and gap <= CLOSED_GAP_MM:
        return 1.0
    opening = rest["palpebral_fissure_mm"][side]
    closed = movement.left_mm if side == "left" else movement.right_mm
    return max(0.0, min(1.0, closed / max(opening, 1e-6)))


def movement_share(
    movement: MovementEvidence, rest: dict[str, dict[str, float]] | None, sides: Sides
) -> tuple[float, dict[str, float]] | None:
    """The affected side's movement as a share of the healthy side's (at most 1), and the numbers
    behind it; None when the healthy side hardly moved."""
    if movement.exercise in _EYE_CLOSURES and rest is not None:
        affected, healthy = sides.split(_closure_share(movement, rest, "left"), _closure_share(movement, rest, "right"))
        numbers = {"affected_closed": affected, "healthy_closed": healthy}
        return (min(1.0, affected / healthy), numbers) if healthy > 0.05 else None
    affected, healthy = sides.split(movement.left_mm, movement.right_mm)
    if healthy < max(MIN_HEALTHY_MOVEMENT_MM, movement.noise_mm):
        return None
    return min(1.0, max(0.0, affected) / healthy), {"affected_mm": affected, "healthy_mm": healthy}


def _excess_pct(movements: list[MovementEvidence], watched: str, sides: Sides) -> tuple[float, dict[str, float]] | None:
    """The most extra co-movement of the affected side over the healthy side in these movements."""
    readings = []
    for movement in movements:
        if watched in movement.synkinesis_pct:
            table = movement.synkinesis_pct[watched]
            affected, healthy = sides.split(table["left"], table["right"])
            if sides.affected is None:  # not known which: the larger excess either way
                affected, healthy = max(table["left"], table["right"]), min(table["left"], table["right"])
            readings.append((affected - healthy, affected, healthy))
    if not readings:
        return None
    excess, affected, healthy = max(readings)
    return max(0.0, excess), {"affected_pct": affected, "healthy_pct": healthy}


class _Grader:
    """Applies the rules to one examination (a class only to keep the evidence and sides at hand)."""

    def __init__(self, evidence: ExaminationEvidence) -> None:
        self.evidence = evidence
        self.sides = affected_sides(evidence)
        self.rest = evidence.rest

    def movement(self, exercise: str | None) -> MovementEvidence | None:
        return self.evidence.movements.get(exercise or "")

    def voluntary(self, item: scales.Item) -> Suggestion:
        movement = self.movement(item.movement)
        eye = item.movement in _EYE_CLOSURES
        rule = ("voluntary_eye" if eye else "voluntary") if item.scale == scales.SUNNYBROOK else (
            "dynamic_eye" if eye else "dynamic")  # fmt: skip
        if movement is None:
            return Suggestion(item.scale, item.id, None, NOT_EXAMINED, rule=rule)
        found = movement_share(movement, self.rest, self.sides)
        if found is None:
            return Suggestion(item.scale, item.id, None, TOO_LITTLE, rule=rule)
        share, numbers = found
        if item.scale == scales.SUNNYBROOK:
            value, certainty, alternative = _banded(share, SHARE_ERROR, VOLUNTARY_STEP_EDGES, 1)
        else:
            value, certainty, alternative = round(100 * share), SURE, round(100 * SHARE_ERROR)
        return Suggestion(item.scale, item.id, value, certainty, share, "share", numbers, alternative, rule)

    def sunnybrook_synkinesis(self, item: scales.Item) -> Suggestion:
        movement = self.movement(item.movement)
        if movement is None:
            return Suggestion(item.scale, item.id, None, NOT_EXAMINED, rule="synkinesis")
        excesses = [
            found for watched in movement.synkinesis_pct if (found := _excess_pct([movement], watched, self.sides))
        ]
        if not excesses:
            return Suggestion(item.scale, item.id, 0, SURE, 0.0, "pct", {}, None, "synkinesis")
        excess, numbers = max(excesses, key=lambda found: found[0])
        value, certainty, alternative = _banded(excess, SYNKINESIS_ERROR_PCT, SYNKINESIS_EDGES_PCT, 0)
        return Suggestion(item.scale, item.id, value, certainty, excess, "pct", numbers, alternative, "synkinesis")

    def eface_synkinesis(self, item: scales.Item) -> Suggestion:
        watched, exercises = {
            "synkinesis_ocular": ("eye_narrowing_pct", _MOUTH_MOVEMENTS),
            "synkinesis_midfacial": ("mouth_corner_pull_pct", _EYE_CLOSURES),
        }[item.id]
        movements = [m for e in exercises if (m := self.movement(e)) is not None]
        if not movements:
            return Suggestion(item.scale, item.id, None, NOT_EXAMINED, rule=item.id)
        found = _excess_pct(movements, watched, self.sides)
        excess, numbers = found if found else (0.0, {})
        value = max(0, min(100, round(100 - excess)))
        return Suggestion(
            item.scale, item.id, value, SURE, excess, "pct", numbers, round(SYNKINESIS_ERROR_PCT), item.id
        )

    def resting(self, item: scales.Item) -> Suggestion:
        if self.rest is None:
            return Suggestion(item.scale, item.id, None, NOT_EXAMINED, rule=item.id)
        if item.scale == scales.SUNNYBROOK:
            name = {"resting_eye": "palpebral_fissure_mm", "resting_mouth": "commissure_height_mm"}[item.id]
            difference = abs(self.rest[name]["difference"])
            value, certainty, alternative = _banded(difference, RESTING_ERROR_MM, (RESTING_EDGE_MM,), 0)
            return Suggestion(item.scale, item.id, value, certainty, difference, "mm", {"difference_mm": difference},
                              alternative, item.id)  # fmt: skip
        name, size_name = {
            "static_brow": ("brow_height_mm", "brow_height_mm"),
            "static_palpebral_fissure": ("palpebral_fissure_mm", "palpebral_fissure_mm"),
            "static_oral_commissure": ("commissure_height_mm", "mouth_half_width_mm"),
        }[item.id]
        difference = abs(self.rest[name]["difference"])
        size = max(self.rest[size_name]["left"], self.rest[size_name]["right"])
        share = difference / max(size, 1e-6)
        value = max(0, min(100, round(100 * (1 - share))))
        alternative = round(100 * RESTING_ERROR_MM / max(size, 1e-6))
        return Suggestion(item.scale, item.id, value, SURE, difference, "mm",
                          {"difference_mm": difference, "size_mm": size}, alternative, item.id)  # fmt: skip

    def suggest(self, item: scales.Item) -> Suggestion:
        if item.id in _FOR_CLINICIAN:
            return Suggestion(item.scale, item.id, None, FOR_CLINICIAN)
        if item.section in ("voluntary", "dynamic"):
            return self.voluntary(item)
        if item.section == "synkinesis":
            if item.scale == scales.SUNNYBROOK:
                return self.sunnybrook_synkinesis(item)
            return self.eface_synkinesis(item)
        return self.resting(item)


@dataclass(frozen=True)
class GradingSuggestions:
    """Every item of both scales, suggested from one examination."""

    sides: Sides
    items: dict[str, dict[str, Suggestion]]
    source: str = ""
    warnings: tuple[str, ...] = ()

    def values(self, scale: str) -> dict[str, int | None]:
        return {item_id: s.value for item_id, s in self.items[scale].items()}

    def scores(self, scale: str) -> scales.Scores:
        """The scale's scores from the suggested values; items with none count as normal and are named."""
        return scales.scores(scale, self.values(scale))

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "source": self.source,
            "aid": "measurement aid, not a diagnosis",
            "affected_side": self.sides.affected,
            "affected_side_from": self.sides.source,
        }
        for scale, items in self.items.items():
            total = self.scores(scale)
            out[scale] = {
                "items": {item_id: s.to_json() for item_id, s in items.items()},
                "sections": {k: round(v, 1) for k, v in total.sections.items()},
                "total": round(total.total, 1),
                "counted_normal": list(total.counted_normal),
            }
        out["warnings"] = list(self.warnings)
        return out


def suggest_grading(evidence: ExaminationEvidence) -> GradingSuggestions:
    """Suggested values for every Sunnybrook and eFACE item from what the examination measured."""
    grader = _Grader(evidence)
    items = {scale: {item.id: grader.suggest(item) for item in table.values()} for scale, table in scales.ITEMS.items()}
    return GradingSuggestions(grader.sides, items, evidence.source, evidence.warnings)
