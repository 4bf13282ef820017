"""The grading scales therapists file: the Sunnybrook Facial Grading System and eFACE, as data.

One place says what each scale's items are, which values an item takes, what a normal face
scores, which movement of the examination it is judged on, and how the scores add up, so
the suggestions, the clinician's form, the records and the reports read the same scale.

Sunnybrook (Ross, Fradet & Nedzelski 1996): resting symmetry of eye, cheek and mouth (sum
x 5), voluntary movement of five standard expressions scored 1-5 (sum x 4), synkinesis 0-3
on the same five (sum); composite = voluntary - resting - synkinesis, 0-100 for a face that
can be graded (healthy adults 65-100, median 96).

eFACE (Banks et al. 2015): 15 items on 0-100 (100 = normal), static, dynamic and synkinesis;
each subscore is the mean of its items and the total weighs the dynamic subscore twice
(the weights that fitted experts' overall disfigurement best in Banks et al.).
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.base.i18n import N_

SUNNYBROOK = "sunnybrook"
EFACE = "eface"


@dataclass(frozen=True)
class Item:
    """One item of a scale, as the published form has it."""

    scale: str
    #: stable name in files and records, e.g. "voluntary_smile"
    id: str
    #: "resting" / "voluntary" / "synkinesis" (Sunnybrook); "static" / "dynamic" / "synkinesis" (eFACE)
    section: str
    #: what the form calls it (marked N_; translated where shown)
    label: str
    #: the values it may take, lowest first
    values: tuple[int, ...]
    #: what a normal face scores
    normal: int
    #: the examination's exercise it is judged on (exercises/exam_*.toml); None: the face at rest
    movement: str | None
    #: the scale's own wording of its values (Sunnybrook) or ends (eFACE), marked N_
    definition: str


_STEPS_1_5 = (1, 2, 3, 4, 5)
_STEPS_0_3 = (0, 1, 2, 3)
_PERCENT = tuple(range(101))

_VOLUNTARY = N_(
    "1 unable to initiate movement, 2 initiates slight movement, 3 initiated movement with mild excursion, "
    "4 movement almost complete, 5 movement complete"
)
_SYNKINESIS = N_("0 none, 1 mild, 2 moderate, 3 severe (disfiguring, gross mass movement)")
_DYNAMIC = N_("movement of the affected side as a share of the healthy side's: 0 none, 100 equal")
_STATIC = N_("position of the affected side against the healthy side at rest: 0 severely off, 100 equal")
_EFACE_SYNKINESIS = N_("unwanted movement with the named expression: 100 none, 0 severe")


def _sb(item_id: str, section: str, label: str, movement: str | None) -> Item:
    values, normal, definition = {
        "voluntary": (_STEPS_1_5, 5, _VOLUNTARY),
        "synkinesis": (_STEPS_0_3, 0, _SYNKINESIS),
    }[section]
    return Item(SUNNYBROOK, item_id, section, label, values, normal, movement, definition)


def _ef(item_id: str, section: str, label: str, movement: str | None) -> Item:
    definition = {"static": _STATIC, "dynamic": _DYNAMIC, "synkinesis": _EFACE_SYNKINESIS}[section]
    return Item(EFACE, item_id, section, label, _PERCENT, 100, movement, definition)


#: what each scale and section is called on the form (marked N_)
SCALE_NAMES = {SUNNYBROOK: N_("Sunnybrook Facial Grading System"), EFACE: N_("eFACE")}
SECTION_NAMES = {
    "resting": N_("Resting symmetry"),
    "voluntary": N_("Voluntary movement"),
    "synkinesis": N_("Synkinesis"),
    "static": N_("Static"),
    "dynamic": N_("Dynamic"),
}
#: what the scale's total is called
TOTAL_NAMES = {SUNNYBROOK: N_("Composite"), EFACE: N_("Total")}

#: Sunnybrook's five expressions and the examination's exercise for each
SUNNYBROOK_EXPRESSIONS: dict[str, tuple[str, str]] = {
    "brow_lift": (N_("Brow lift"), "exam_brow_lift"),
    "gentle_eye_closure": (N_("Gentle eye closure"), "exam_gentle_eye_closure"),
    "open_mouth_smile": (N_("Open-mouth smile"), "exam_smile"),
    "snarl": (N_("Snarl"), "exam_snarl"),
    "lip_pucker": (N_("Lip pucker"), "exam_pucker"),
}

_EXPRESSIONS = tuple(SUNNYBROOK_EXPRESSIONS.items())

SUNNYBROOK_ITEMS: tuple[Item, ...] = (
    Item(SUNNYBROOK, "resting_eye", "resting", N_("Eye (palpebral fissure) at rest"), (0, 1), 0, None,
         N_("0 normal, 1 narrow, wide or eyelid surgery")),
    Item(SUNNYBROOK, "resting_cheek", "resting", N_("Cheek (nasolabial fold) at rest"), (0, 1, 2), 0, None,
         N_("0 normal, 2 absent, 1 less or more pronounced")),
    Item(SUNNYBROOK, "resting_mouth", "resting", N_("Mouth at rest"), (0, 1), 0, None,
         N_("0 normal, 1 corner dropped, or pulled up or out")),
    *(_sb(f"voluntary_{key}", "voluntary", name, movement) for key, (name, movement) in _EXPRESSIONS),
    *(_sb(f"synkinesis_{key}", "synkinesis", name, movement) for key, (name, movement) in _EXPRESSIONS),
)  # fmt: skip

EFACE_ITEMS: tuple[Item, ...] = (
    _ef("static_brow", "static", N_("Brow at rest"), None),
    _ef("static_palpebral_fissure", "static", N_("Palpebral fissure at rest"), None),
    _ef("static_nasolabial_fold", "static", N_("Nasolabial fold depth at rest"), None),
    _ef("static_oral_commissure", "static", N_("Oral commissure at rest"), None),
    _ef("dynamic_brow_elevation", "dynamic", N_("Brow elevation"), "exam_brow_lift"),
    _ef("dynamic_gentle_eye_closure", "dynamic", N_("Gentle eye closure"), "exam_gentle_eye_closure"),
    _ef("dynamic_full_eye_closure", "dynamic", N_("Full eye closure"), "exam_full_eye_closure"),
    _ef("dynamic_oral_commissure_smile", "dynamic", N_("Oral commissure movement with smile"), "exam_smile"),
    _ef("dynamic_nasolabial_fold_depth", "dynamic", N_("Nasolabial fold depth with smile"), "exam_smile"),
    _ef("dynamic_nasolabial_fold_orientation", "dynamic", N_("Nasolabial fold orientation with smile"), "exam_smile"),
    _ef("dynamic_lower_lip", "dynamic", N_("Lower lip movement (EEE)"), "exam_lower_lip"),
    _ef("synkinesis_ocular", "synkinesis", N_("Ocular synkinesis (eye narrowing with mouth movement)"), "exam_smile"),
    _ef("synkinesis_midfacial", "synkinesis", N_("Midfacial synkinesis (mouth movement with eye closure)"),
        "exam_gentle_eye_closure"),
    _ef("synkinesis_mentalis", "synkinesis", N_("Mentalis synkinesis (chin dimpling)"), "exam_smile"),
    _ef("synkinesis_platysmal", "synkinesis", N_("Platysmal synkinesis (neck bands)"), "exam_smile"),
)  # fmt: skip

ITEMS: dict[str, dict[str, Item]] = {
    SUNNYBROOK: {item.id: item for item in SUNNYBROOK_ITEMS},
    EFACE: {item.id: item for item in EFACE_ITEMS},
}

#: the programme of the grading examination (exercises/programmes/examination.toml): the movements
#: each item is judged on are its exercises
EXAMINATION_PROGRAMME = "examination"


@dataclass(frozen=True)
class Scores:
    """A scale's sub-scores and total from item values; items without a value count as normal
    and are named in `counted_normal`, so a total is never shown as complete when it is not."""

    scale: str
    #: section → its score (Sunnybrook: weighted sums; eFACE: item means)
    sections: dict[str, float]
    #: Sunnybrook composite or eFACE total
    total: float
    counted_normal: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.counted_normal


def _values_or_normal(scale: str, values: dict[str, int | None]) -> tuple[dict[str, int], tuple[str, ...]]:
    unknown = sorted(set(values) - set(ITEMS[scale]))
    if unknown:
        raise ValueError(f"not {scale} items: {', '.join(unknown)}")
    filled = {item_id: values.get(item_id) for item_id in ITEMS[scale]}
    for item_id, value in filled.items():
        if value is not None and value not in ITEMS[scale][item_id].values:
            raise ValueError(f"{scale} item {item_id} cannot be {value}")
    missing = tuple(item_id for item_id, value in filled.items() if value is None)
    return {k: (ITEMS[scale][k].normal if v is None else v) for k, v in filled.items()}, missing


def sunnybrook_scores(values: dict[str, int | None]) -> Scores:
    """Resting sum x 5, voluntary sum x 4, synkinesis sum; composite = voluntary − resting − synkinesis."""
    filled, missing = _values_or_normal(SUNNYBROOK, values)

    def section_sum(section: str) -> int:
        return sum(v for k, v in filled.items() if ITEMS[SUNNYBROOK][k].section == section)

    resting, voluntary, synkinesis = 5 * section_sum("resting"), 4 * section_sum("voluntary"), section_sum("synkinesis")
    sections = {"resting": float(resting), "voluntary": float(voluntary), "synkinesis": float(synkinesis)}
    return Scores(SUNNYBROOK, sections, float(voluntary - resting - synkinesis), missing)


def eface_scores(values: dict[str, int | None]) -> Scores:
    """Each subscore the mean of its items; total = (static + 2 x dynamic + synkinesis) / 4."""
    filled, missing = _values_or_normal(EFACE, values)
    sections: dict[str, float] = {}
    for section in ("static", "dynamic", "synkinesis"):
        items = [v for k, v in filled.items() if ITEMS[EFACE][k].section == section]
        sections[section] = sum(items) / len(items)
    total = (sections["static"] + 2 * sections["dynamic"] + sections["synkinesis"]) / 4
    return Scores(EFACE, sections, total, missing)


def scores(scale: str, values: dict[str, int | None]) -> Scores:
    """The scale's scores from its item values (None: not graded, counted normal and named)."""
    return {SUNNYBROOK: sunnybrook_scores, EFACE: eface_scores}[scale](values)
