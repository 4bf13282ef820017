"""Accuracy benchmark: graded one-sided weakness on real faces with a known truth.

`python benchmarks/accuracy/run.py` generates the clips (generator.py), runs the landmarker on them,
and breaks the product's symmetry error down stage by stage (stages.py), with a cross-talk diagnostic
(crosstalk.py) and the static droop check (droop.py). Nothing here changes the product.
"""
