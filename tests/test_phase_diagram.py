"""Phase diagrams: toy model (Table 1 classification, early stopping, resume), ridge, kernel."""

import json
import os
from collections import Counter

import numpy as np
import pytest

from theory.effective import PhaseDefinition, classify_phase
from validation.effective.phase_diagram import (
    PAPER_GRIDS,
    PHASE_ORDER,
    save_toy_phase_figure,
    toy_axes,
    toy_phase_diagram,
)
from validation.effective.toy import RunBatch, ToyConfig, train_toy

# ----------------------------------------------------------------------------- reference table
# The authors' stored Fig. 6b grid (ejmichaud/grokking-squared, phase_diagram_plot/
# train_steps.txt and test_steps.txt; one torch seed, 1e5 steps): rows are decoder learning
# rates 10**linspace(-4, -2, 11), columns decoder weight decays 0..10; 99999 = never reached.
AUTHORS_TRAIN = np.array([
    [1650, 1815, 2069, 2310, 2536, 3022, 3984, 8929, 10185, 15875, 18911],
    [1274, 1302, 1487, 1589, 1715, 1968, 2402, 4632, 9513, 14864, 17477],
    [854, 938, 1015, 1134, 1172, 1250, 1605, 3429, 13034, 15800, 18738],
    [938, 1119, 1186, 1376, 2980, 969, 1162, 2239, 3790, 14977, 18817],
    [811, 733, 838, 1029, 1337, 2361, 99999, 99999, 2606, 18775, 23816],
    [489, 732, 906, 703, 934, 1554, 99999, 99999, 99999, 28683, 99999],
    [347, 420, 780, 661, 814, 3044, 99999, 99999, 99999, 99999, 99999],
    [434, 395, 507, 857, 952] + [99999] * 6,
    [362, 690, 488, 1162] + [99999] * 7,
    [420, 638, 725, 1561] + [99999] * 7,
    [248, 443, 1425] + [99999] * 8])
AUTHORS_TEST = np.array([
    [2076, 2402, 2571, 3095, 3906, 5549, 9455, 12424, 16837, 67035, 99999],
    [1504, 1698, 1814, 1818, 2097, 3275, 5636, 8543, 18425, 97186, 99999],
    [923, 1015, 1393, 1476, 1668, 2193, 2790, 7392, 18052, 77518, 99999],
    [99999] * 5 + [1400, 1939, 19977, 99999, 99999, 99999]] + [[99999] * 11] * 7)


def _authors_rule(train, test, budget=100_000, threshold=1000):
    """The classification rule of the authors' plotting notebook, restated."""
    never = budget - 1
    if train == never:
        return "confusion"
    if test == never:
        return "memorization"
    return "comprehension" if test - train < threshold else "grokking"


def test_table1_classifier_agrees_with_the_authors_rule_on_their_grid():
    d = PhaseDefinition(budget=99_999)          # their 'never' is the last step, 99999
    ours = [[classify_phase(None if a == 99_999 else int(a), None if b == 99_999 else int(b),
                            d)["phase"] for a, b in zip(ra, rb)]
            for ra, rb in zip(AUTHORS_TRAIN, AUTHORS_TEST)]
    theirs = [[_authors_rule(a, b) for a, b in zip(ra, rb)]
              for ra, rb in zip(AUTHORS_TRAIN, AUTHORS_TEST)]
    assert ours == theirs
    counts = Counter(p for row in ours for p in row)
    assert set(counts) == set(PHASE_ORDER[:4])     # the reference grid shows all four phases


@pytest.mark.parametrize("it_train, it_test, phase", [
    (100, 1100, "comprehension"), (100, 1101, "grokking"), (5000, 10, "comprehension"),
    (100, None, "memorization"), (None, None, "confusion"), (None, 300, "confusion"),
    (100, 99_999, "memorization"),
])
def test_table1_rows(it_train, it_test, phase):
    assert classify_phase(it_train, it_test, PhaseDefinition(budget=99_999))["phase"] == phase


# ----------------------------------------------------------------------------- toy
_TINY = {"width": 12}                      # a small decoder: each run takes milliseconds
_X, _Y = "decoder-lr=3e-3,3e-2", "repr-lr=3e-3,3e-2"


def _tiny(**kw):
    kw.setdefault("executor", "serial")
    return toy_phase_diagram(_X, _Y, steps=400, seeds=(0, 1), toy_options=_TINY,
                             progress=False, **kw)


@pytest.fixture(scope="module")
def tiny():
    return _tiny()


def test_early_stopped_cells_match_full_budget_runs(tiny):
    """Each cell's iter_train / iter_test and phase equal those of a run without early stopping."""
    out = tiny
    cells = out["cells"]
    batch = RunBatch(seed=np.array([c["seed"] for c in cells]),
                     train_size=np.full(len(cells), 45),
                     repr_lr=np.array([c["y"] for c in cells]),
                     repr_wd=np.zeros(len(cells)),
                     decoder_lr=np.array([c["x"] for c in cells]),
                     decoder_wd=np.zeros(len(cells)))
    full = train_toy(ToyConfig(steps=400, record_every=400, **_TINY), batch)
    d = PhaseDefinition(budget=400)
    for k, c in enumerate(cells):
        a, b = int(full.iter_train[k]), int(full.iter_test[k])
        assert c["iter_train"] == (None if a < 0 else a)
        assert c["iter_test"] == (None if b < 0 else b)
        ref = classify_phase(None if a < 0 else a, None if b < 0 else b, d,
                             diverged=bool(full.diverged[k]))
        assert c["phase"] == ref["phase"]
        assert c["censored"] == (ref["phase"] in ("memorization", "confusion"))
        decided = c["iter_train"] is not None and c["iter_test"] is not None
        assert c["steps_run"] == (max(c["iter_train"], c["iter_test"]) if decided else 400)
    assert out["timing"]["run_steps"] == sum(c["steps_run"] for c in cells)


def test_phases_are_the_mode_over_seeds_per_labelled_cell(tiny):
    out = tiny
    xs, ys = out["x"]["values"], out["y"]["values"]
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            seeds = [c["phase"] for c in out["cells"] if c["x"] == x and c["y"] == y]
            counts = Counter(seeds)
            top = max(counts.values())
            assert counts[out["phases"][i][j]] == top
            assert out["censored"][i][j] == any(c["censored"] for c in out["cells"]
                                                if c["x"] == x and c["y"] == y)


def test_resumed_toy_diagram_is_identical(tmp_path):
    store = tmp_path / "store"
    first = _tiny(store=store, chunk_size=2)
    chunks = sorted(f for f in os.listdir(store) if f.startswith("chunk_"))
    os.remove(store / chunks[1])
    again = _tiny(store=store, chunk_size=2)
    assert again["timing"]["chunks_computed"] == 1
    strip = [{k: v for k, v in r.items() if k != "timing"} for r in (first, again)]
    assert json.dumps(strip[0], sort_keys=True) == json.dumps(strip[1], sort_keys=True)


def test_same_seed_gives_byte_identical_json_and_the_figure_sidecar(tiny, tmp_path):
    a, b = dict(tiny), _tiny(executor="threads")
    a.pop("timing"), b.pop("timing")
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    files = save_toy_phase_figure({**a, "timing": {}}, tmp_path)
    with open(files[-1]) as fh:
        side = json.load(fh)
    assert side["cells"] == a["cells"] and side["phases"] == a["phases"]


def test_axis_defaults_follow_the_paper_grids():
    x, y = toy_axes("decoder-lr", "decoder-wd")
    assert (x, y) == (PAPER_GRIDS["fig6b"]["x"], PAPER_GRIDS["fig6b"]["y"])
    assert toy_axes("decoder-lr", "decoder-wd", loss="ce")[1].values[-1] == 20.0
    x, y = toy_axes("repr-lr", "decoder-lr")
    assert y.values[0] == 1e-5 and len(y.values) == 10
    np.testing.assert_allclose(PAPER_GRIDS["fig6b"]["x"].values,
                               10.0 ** np.linspace(-4, -2, 11), rtol=1e-11)


@pytest.mark.parametrize("x, y, match", [
    ("decoder-lr", "decoder-lr=1,2", "different"), ("lr", "decoder-wd", "unknown axis"),
    ("train-size=10,60", "decoder-lr", r"\[1, 54\]"), ("decoder-wd=-1,2", "decoder-lr", ">= 0"),
])
def test_bad_axes_are_named(x, y, match):
    with pytest.raises(ValueError, match=match):
        toy_axes(x, y)


def test_budget_and_definition_must_agree():
    with pytest.raises(ValueError, match="budget"):
        toy_phase_diagram(_X, _Y, steps=400, definition=PhaseDefinition(budget=500),
                          toy_options=_TINY, executor="serial", progress=False)


@pytest.mark.slow
def test_quick_diagram_shows_all_four_phases_in_the_paper_arrangement():
    """The documented quick grid (a few minutes on two cores)."""
    out = toy_phase_diagram(quick=True, progress=False)
    ph = out["phases"]                       # rows: decoder wd increasing; cols: decoder lr
    assert set(p for row in ph for p in row) >= set(PHASE_ORDER[:4])
    assert ph[0][-1] == "memorization"       # large lr, no weight decay
    assert ph[-1][-1] == "confusion"         # large lr, large weight decay
    assert "grokking" in [row[0] for row in ph]   # grokking at the smallest lr


def test_figure_hatches_exactly_the_censored_cells(tiny):
    from matplotlib.figure import Figure

    from validation.effective.phase_diagram import plot_toy_phase_diagram

    ax = Figure().add_subplot()
    art = plot_toy_phase_diagram(ax, tiny)
    n_censored = sum(map(sum, tiny["censored"]))
    hatches = art["hatch"] or []
    assert len(hatches) == n_censored
    assert all(h.get_hatch() == "///" and (h.get_alpha() is None or h.get_alpha() > 0)
               for h in hatches)
    labels = [t.get_text() for t in art["legend"].get_texts()]
    assert set(p for row in tiny["phases"] for p in row) <= set(labels)
