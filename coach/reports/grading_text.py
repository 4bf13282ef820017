"""The suggested grading as `facecoach analyze --examination` prints it: every item of both scales,
the value the measurement points to, the number it read, and how sure it is; the rules once below.

Always headed as a measurement aid, not a diagnosis: the clinician grades.
"""

from __future__ import annotations

from coach.base.formats import number_text
from coach.base.i18n import N_, tr
from coach.base.palette import SIDE_WORDS
from coach.grading import scales
from coach.grading.suggestions import (
    CERTAINTY_WORDS,
    CLOSED_GAP_MM,
    READING_UNITS,
    RESTING_EDGE_MM,
    RULES,
    GradingSuggestions,
    Suggestion,
)

AID = N_("Suggested grading: a measurement aid, not a diagnosis. The clinician grades; every value may be changed.")
_SIDE_FROM = {
    "record": N_("affected side {side} (from the patient's record)"),
    "measured": N_("affected side {side} (the side weaker in more of the movements, as measured)"),
    "none": N_("no affected side known or measured: the weaker side of each movement is read as affected"),
}


def reading_text(s: Suggestion) -> str:
    """The number a suggestion was read from, with its unit ("-" for none)."""
    if s.reading is None:
        return "-"
    if s.reading_kind == "share":
        return number_text(s.reading, 2)
    return f"{number_text(s.reading, 1)} {READING_UNITS[s.reading_kind]}"


def certainty_text(s: Suggestion) -> str:
    """How sure a suggestion is, in words (± the error for eFACE's 0-100 items)."""
    if s.certainty == "near_edge":
        return tr(CERTAINTY_WORDS[s.certainty], alternative=s.alternative)
    if s.value is not None and s.alternative is not None and len(scales.ITEMS[s.scale][s.item].values) > 6:
        return tr("± {error}", error=s.alternative)
    return tr(CERTAINTY_WORDS[s.certainty])


def rule_text(rule: str) -> str:
    """A rule (suggestions.RULES key) in words, its constants filled in."""
    return tr(RULES[rule], edge=number_text(RESTING_EDGE_MM, 1), gap=number_text(CLOSED_GAP_MM, 1))


def _scale_lines(suggestions: GradingSuggestions, scale: str) -> list[str]:
    items = scales.ITEMS[scale]
    label_w = max(len(tr(item.label)) for item in items.values()) + 2
    lines = [tr(scales.SCALE_NAMES[scale])]
    section = ""
    for item_id, s in suggestions.items[scale].items():
        item = items[item_id]
        if item.section != section:
            section = item.section
            lines.append(f"  {tr(scales.SECTION_NAMES[section])}")
        value = "-" if s.value is None else str(s.value)
        lines.append(f"    {tr(item.label):<{label_w}}{value:>4}   {reading_text(s):>8}   {certainty_text(s)}")
    total = suggestions.scores(scale)
    parts = [f"{tr(scales.SECTION_NAMES[k])} {number_text(v, 0)}" for k, v in total.sections.items()]
    parts.append(f"{tr(scales.TOTAL_NAMES[scale])} {number_text(total.total, 0)}")
    lines.append("  " + " · ".join(parts))
    if total.counted_normal:
        names = "; ".join(
            f"{tr(scales.SECTION_NAMES[items[item_id].section])}: {tr(items[item_id].label)}"
            for item_id in total.counted_normal
        )
        lines.append("  " + tr("counted as normal until the clinician grades them: {items}", items=names))
    return lines


def format_suggestions(suggestions: GradingSuggestions) -> str:
    """Both scales, item by item, with the rules used below them."""
    side = suggestions.sides.affected
    lines = [
        tr(AID),
        tr(_SIDE_FROM[suggestions.sides.source], side=tr(SIDE_WORDS[side]) if side else ""),
        "",
        *_scale_lines(suggestions, scales.SUNNYBROOK),
        "",
        *_scale_lines(suggestions, scales.EFACE),
        "",
        tr("Rules (reading → value):"),
    ]
    used = dict.fromkeys(s.rule for items in suggestions.items.values() for s in items.values())
    lines += [f"  {rule}: {rule_text(rule)}" for rule in used if rule != "for_clinician"]
    return "\n".join(lines)
