"""Theory vs simulation: the vectorised GD simulator, sweeps, bounds grid, figures."""

import json
import warnings

import numpy as np
import pytest

from theory.ridge import grokking_times, sample_problem
from validation.ridge import simulate_gd
from validation.ridge.figures import bounds_grid, make_figures, sweep, thm41_check
from validation.ridge.gd import gd_times


def test_batched_gd_equals_closed_form_over_seeds_and_grid():
    # 3 seeds x 4 (lam, eta, init scale) settings in one array program; the closed
    # form must give the same integers (exact: both are the same GD, no tolerance)
    probs = [sample_problem(n=20, m=200, seed=s) for s in range(3)]
    lam = np.array([1e-3, 3e-3, 1e-3, 1e-2])
    eta = np.array([1.0, 0.5, 12.0, 1.0])      # eta = 12 makes some modes oscillate
    scale = np.array([1.0, 1.0, 1.0, 0.05])    # 0.05: nu2 = 0.0025, no overfitting phase
    res = simulate_gd(probs, lam=lam, eta=eta, init_scale=scale, eps=0.01, c=0.01,
                      horizon=6000)
    for i, base in enumerate(probs):
        for j in range(4):
            prob = sample_problem(n=20, m=200, nu2=scale[j] ** 2, seed=i)
            ex = grokking_times(prob, lam=lam[j], eta=eta[j], eps=0.01, c=0.01)
            assert res.t1[i, j] == ex.t1
            assert res.t2[i, j] == (ex.t2 if ex.t2 is not None else -1)
    assert (res.t1[:, 3] == -1).all()


def test_recorded_curves_match_closed_form():
    from theory.ridge import dynamics

    probs = [sample_problem(n=30, m=300, seed=s) for s in range(2)]
    steps = np.array([0, 1, 10, 100, 1000, 4000])
    res = simulate_gd(probs, lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=4000, record=steps)
    for i, p in enumerate(probs):
        dyn = dynamics(p, lam=1e-3, eta=1.0)
        # float64 rounding accumulated over 4000 explicit steps stays ~1e-12 relative
        np.testing.assert_allclose(res.train_loss[i, 0], dyn.train_loss(steps), rtol=1e-9)
        np.testing.assert_allclose(res.population_loss[i, 0], dyn.population_loss(steps),
                                   rtol=1e-9)


def test_gd_times_conventions_at_horizon():
    probs = [sample_problem(n=20, m=200, seed=0)]
    runs, horizon = gd_times(probs, seeds=[0], lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=50)
    assert horizon == 50
    assert runs[0]["t2"] is None and "horizon" in runs[0]["notes"][0]


@pytest.mark.parametrize("kwargs,match", [
    (dict(horizon=-1), "horizon"),
    (dict(eta=1e4), "diverges"),
    (dict(lam=np.ones(3), eta=np.ones(2)), "broadcast"),
])
def test_simulate_gd_bad_input(kwargs, match):
    args = dict(lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate_gd([sample_problem(n=5, m=20, seed=0)], **args)


def test_sweep_agreement_and_inverse_lam_slope():
    sw = sweep("lam", list(2.0 ** -np.arange(9, 13)), seeds=[0, 1])
    assert sw["agreement"]["t1_equal"] == sw["agreement"]["runs"] == 8
    assert sw["agreement"]["t2_equal"] == 8
    slope = np.polyfit(np.log(sw["values"]), np.log(sw["t2"].mean(axis=0)), 1)[0]
    # t2 = ln(A) / (-2 ln(1 - eta lam)) + O(row-space transients): slope -1 - O(eta lam)
    # with eta lam <= 2^-9 ~ 0.002 -> deviation <= ~1e-3 (the spec's tolerance)
    assert slope == pytest.approx(-1.0, abs=1e-3)


def test_bounds_hold_on_random_grid():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = bounds_grid(12)
    assert len(grid["settings"]) == 12
    for name, st in grid["bounds"].items():
        assert st["checked"] > 0, name
        assert st["violations"] == 0, (name, st)
        assert st["slack_min"] >= 1.0


def test_thm41_envelopes_hold_everywhere():
    res = thm41_check(range(2))
    assert all(v == res["points"] for v in res["held"].values())


def test_quick_figures_and_report(tmp_path):
    manifest = make_figures(tmp_path, quick=True)
    for key in ("fig1_loss_curves", "fig2_sweeps"):
        exts = sorted(f.rsplit(".", 1)[1] for f in manifest[key])
        assert exts == ["json", "pdf", "png"]
        side = json.loads((tmp_path / f"{key}.json").read_text())
        cfg = side["config"]
        for k in ("defaults", "seeds", "definitions", "version", "method"):
            assert k in cfg, (key, k)
        assert "t1" in cfg["definitions"]
    rep = json.loads((tmp_path / "validation_report.json").read_text())
    assert rep["agreement"]["all_equal"]
    assert rep["slopes"]["t2_slopes_within_tolerance"]
    assert rep["curves"]["max_rel_dev"]["train"] < 1e-9
    assert manifest["summary"]["bound_violations"] == 0
    assert manifest["config"]["seeds"] and "t1" in manifest["config"]["definitions"]


@pytest.mark.slow
def test_bounds_hold_on_large_random_grid():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = bounds_grid(200, rng_seed=7)
    for name, st in grid["bounds"].items():
        assert st["violations"] == 0, (name, st)


@pytest.mark.slow
def test_paper_scale_sweeps_match_closed_form_and_slopes():
    lam = sweep("lam", list(2.0 ** -np.arange(10, 17)), seeds=[0, 1, 2])
    eta = sweep("eta", [0.125, 0.25, 0.5, 1.0], seeds=[0, 1, 2])
    for sw in (lam, eta):
        assert sw["agreement"]["t1_equal"] == sw["agreement"]["runs"]
        assert sw["agreement"]["t2_equal"] == sw["agreement"]["runs"]
    for sw in (lam, eta):
        slope = np.polyfit(np.log(sw["values"]), np.log(sw["t2"].mean(axis=0)), 1)[0]
        assert slope == pytest.approx(-1.0, abs=1e-3)
