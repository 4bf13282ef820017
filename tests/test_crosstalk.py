"""The landmarker's left-right cross-talk is undone with the shipped coefficients, and a bad
coefficients file is refused with the file, the field and the problem."""

from __future__ import annotations

import numpy as np
import pytest

from coach.base.errors import ResourceError
from coach.measure.crosstalk import REGION_AXES, SideMix, load_mixes, shipped_mixes


def test_unmix_recovers_each_sides_own_movement():
    mix = SideMix(own=0.7, other=0.2)
    true = np.array([[6.0, 0.0], [3.0, 1.5], [0.0, 0.0]])  # one side still, half, none
    read = np.stack([0.7 * true[:, 0] + 0.2 * true[:, 1], 0.7 * true[:, 1] + 0.2 * true[:, 0]], -1)
    assert np.allclose(mix.unmix(read), true)


def test_shipped_coefficients_cover_the_clinical_regions_and_are_a_usable_mix():
    mixes = shipped_mixes()
    assert {("mouth_corner", "outward"), ("brow", "vertical"), ("eyelids", "closure")} <= set(mixes)
    for (region, axis), mix in mixes.items():
        assert axis in REGION_AXES[region]
        assert 0.2 <= mix.own <= 2.0 and abs(mix.other) < 0.8 * mix.own


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[regions.brow]\nvertical = { own = 0.7 }\n", "regions.brow.vertical"),
        ("[regions.brow]\nvertical = { own = nan, other = 0.1 }\n", "regions.brow.vertical.own"),
        ("[regions.brow]\nvertical = { own = 0.5, other = 0.5 }\n", "regions.brow.vertical"),
        ("[regions.nose]\nvertical = { own = 0.5, other = 0.1 }\n", "regions.nose"),
        ("[regions.brow]\nsideways = { own = 0.5, other = 0.1 }\n", "regions.brow.sideways"),
        ("[regions.brow\n", "cannot read"),
    ],
)
def test_a_broken_coefficients_file_names_the_file_and_field(tmp_path, text, names):
    path = tmp_path / "landmark_crosstalk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResourceError) as caught:
        load_mixes(path)
    assert str(path) in str(caught.value) and names in str(caught.value)
