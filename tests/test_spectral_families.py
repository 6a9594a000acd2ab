"""Family corpora (storage, grids) and the spectral figure helpers (fast tier)."""

import numpy as np
import pytest

from validation.spectral.families import (
    FAMILIES,
    FamilyCorpus,
    family_grid,
    load_family_corpus,
    save_family_corpus,
)


def _synthetic(n=12):
    rng = np.random.default_rng(0)
    return FamilyCorpus(
        family="toy", early_loss=np.exp(-np.arange(40) / 30.0) * (1 + rng.random((n, 1))),
        label=np.arange(n) % 3 == 0, phase=np.array(["grokking", "memorization",
                                                     "confusion"] * (n // 3)),
        cell=np.repeat(np.arange(n // 2), 2), seed=np.arange(n) + 7,
        settings={"decoder_lr": np.full(n, 1e-4)}, split={"split_forced": np.ones(n)},
        final_val_acc=rng.random(n), config={"family": "toy", "window": 40, "budget": 1000})


def test_corpus_roundtrip_is_exact_to_float32(tmp_path):
    c = _synthetic()
    path = save_family_corpus(c, tmp_path / "sub" / "c.npz")
    back = load_family_corpus(path)
    np.testing.assert_array_equal(back.early_loss, c.early_loss.astype(np.float32))
    np.testing.assert_array_equal(back.label, c.label)
    np.testing.assert_array_equal(back.phase, c.phase)
    np.testing.assert_array_equal(back.settings["decoder_lr"], c.settings["decoder_lr"])
    np.testing.assert_array_equal(back.split["split_forced"], c.split["split_forced"])
    assert back.config == c.config and back.window == 40
    # no pickles inside: numpy refuses object arrays without allow_pickle
    np.load(path, allow_pickle=False)["config_json"]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_shipped_corpus_matches_its_grid(family):
    c = load_family_corpus(family)
    grid = family_grid(family, "full")
    n_cells = int(np.prod([len(grid[a]) for a in c.config["cell_axes"]]))
    assert len(c) == n_cells * grid["n_seeds"]
    assert np.unique(c.seed).size == len(c)  # a run's seed is its own
    assert c.window <= 0.04 * c.budget and c.early_loss.shape == (len(c), c.window)
    # every cell holds one hyperparameter setting and n_seeds runs
    for cell in np.unique(c.cell):
        sel = c.cell == cell
        assert sel.sum() == grid["n_seeds"]
        for v in c.settings.values():
            assert np.unique(v[sel]).size == 1
    assert set(c.phase) <= {"comprehension", "grokking", "memorization", "confusion",
                            "diverged"}
    np.testing.assert_array_equal(c.label, np.isin(c.phase, ["comprehension", "grokking"]))
    assert 0.1 <= c.label.mean() <= 0.9  # both classes present in some proportion


def test_family_grid_rejects_unknown_names():
    with pytest.raises(ValueError, match="family must be one of"):
        family_grid("mnist")
    with pytest.raises(ValueError, match="profile must be one of"):
        family_grid("toy", "huge")


def test_heatmap_text_contrasts_and_scale_is_shared():
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from validation.spectral.figures import plot_heatmap

    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    a = plot_heatmap(ax1, np.array([[0.01, 0.5]]), [1, 2], [0], vmin=0.0, vmax=1.0)
    b = plot_heatmap(ax2, np.array([[0.02, 0.03]]), [1, 2], [0], vmin=0.0, vmax=1.0)
    assert a[0].get_clim() == b[0].get_clim() == (0.0, 1.0)
    # 0.01 is dark purple in viridis: white text; 0.99 would be yellow: black text
    assert a[1].get_color() == "white"
    c = plot_heatmap(ax1, np.array([[0.99]]), [1], [0], vmin=0.0, vmax=1.0)
    assert c[1].get_color() == "black"
    r, g, bb, _ = mpl.colormaps["viridis"](0.99)
    assert 0.299 * r + 0.587 * g + 0.114 * bb > 0.5


def test_roc_figure_gives_no_ci_with_few_positives():
    from validation.spectral.figures import MIN_CLASS_FOR_CI, _ci_text

    a = {"estimate": 1.0, "low": 1.0, "high": 1.0}
    assert _ci_text(a, 1, 40) == "1.00 (no CI)"
    assert _ci_text(a, MIN_CLASS_FOR_CI, 40) == "1.00 [1.00, 1.00]"
