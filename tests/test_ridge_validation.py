"""Theory vs simulation: explicit GD against the closed form, bounds, sweeps, figures.

Tolerances (each test repeats the one it uses):

* integer times t1, t2: exact equality; the closed form and GD are the same
  recursion, so a difference is a bug (or a knife-edge crossing at 1 ulp,
  which has not occurred);
* loss curves: relative 1e-9; float64 rounding of ~1e-16 per step accumulates
  to ~1e-12 over ~1e4 contracting steps, in GD and in the closed form's
  exp(t log1p(-x)) powers alike;
* slopes of t2 vs lam and eta: 1e-3 around -1; the exact slope is
  -1 - eta lam / 2 + O((eta lam)^2) plus integer rounding 1/t2, both < 5e-4 on
  the grids used;
* bounds: must hold (slack >= 1) on every seed where their assumptions hold.
"""

import json
import warnings

import numpy as np
import pytest

from theory.ridge import dynamics, grokking_times, sample_problem
from validation.ridge import simulate_gd
from validation.ridge.agreement import AGREEMENT_CASES, CURVE_RTOL, check_agreement
from validation.ridge.bounds_check import bounds_grid, thm41_check
from validation.ridge.curves import loss_curves
from validation.ridge.gd import gd_times
from validation.ridge.report import SLOPE_TOLERANCE
from validation.ridge.sweeps import _chunks, loglog_slope, sweep

SMALL = dict(n=20, m=200, nu2=1.0, lam=1e-3, eta=1.0, eps=0.01, c=0.01)


# --------------------------------------------------------------------------
# explicit GD == closed form
# --------------------------------------------------------------------------
def test_gd_equals_closed_form_on_edge_cases():
    # 30 runs: several lam/eta, oscillating modes (eta = 14), no overfitting
    # phase (t1 = -1), zero teacher, m < n, never generalizes, never overfits.
    # Tolerance: exact integer equality (same recursion).
    res = check_agreement(AGREEMENT_CASES)
    assert res.runs == sum(len(c["seeds"]) for c in AGREEMENT_CASES)
    assert res.mismatches == ()
    assert res.all_equal
    labels = {c["label"]: c for c in res.cases}
    assert labels["no overfitting phase (nu2=0.0025)"]["exact_t1"] == -1
    assert labels["never generalizes (c below the floor)"]["gd_t2"] == -1
    osc = [c for c in res.cases if c["label"].startswith("oscillating")]
    assert osc and all(c["eta"] * sample_problem(20, 200, 1.0, seed=c["seed"]).spectrum.lmax / 20
                       > 1 for c in osc)
    # losses at 40 log-spaced steps per batch: float64 rounding accumulated over
    # <= 3000 steps is ~1e-13 relative; CURVE_RTOL = 1e-9 leaves a wide margin
    assert res.curves["max_rel_dev"]["train"] < CURVE_RTOL
    assert res.curves["max_rel_dev"]["population"] < CURVE_RTOL


def test_per_run_vectors_and_grid_agree_with_each_other_and_closed_form():
    probs = [sample_problem(n=20, m=200, seed=s) for s in range(3)]
    lam = np.array([1e-3, 3e-3, 1e-2])
    eta = np.array([1.0, 0.5, 12.0])          # eta = 12 makes some modes oscillate
    per_run = simulate_gd(probs, lam=lam, eta=eta, eps=0.01, c=0.01, horizon=4000)
    grid = simulate_gd(probs, lam=lam[None, :], eta=eta[None, :], eps=0.01, c=0.01,
                       horizon=4000)
    assert per_run.shape == (3,) and grid.shape == (3, 3)
    for i, p in enumerate(probs):
        for j in range(3):
            ex = grokking_times(p, lam=lam[j], eta=eta[j], eps=0.01, c=0.01)
            # exact: integer equality
            assert (grid.t1[i, j], grid.t2[i, j]) == (ex.t1, ex.t2)
        assert (per_run.t1[i], per_run.t2[i]) == (grid.t1[i, i], grid.t2[i, i])


def test_paired_nu2_grid_by_init_scale_equals_sampled_problems():
    # init_scale = sqrt(nu2) rescales the same draw sample_problem(nu2=...) uses
    probs = [sample_problem(n=20, m=200, seed=s) for s in range(2)]
    nu2 = np.array([0.0025, 0.25, 4.0])
    res = simulate_gd(probs, lam=2e-3, eta=1.0, init_scale=np.sqrt(nu2)[None, :], eps=0.01,
                      c=0.01, horizon=3000)
    for i in range(2):
        for j, v in enumerate(nu2):
            ex = grokking_times(sample_problem(n=20, m=200, nu2=v, seed=i), lam=2e-3, eta=1.0,
                                eps=0.01, c=0.01)
            assert (res.t1[i, j], res.t2[i, j]) == (ex.t1, ex.t2)     # exact
    assert (res.t1[:, 0] == -1).all()       # nu2 = 0.0025: L_n(0) < eps, no overfitting phase


def test_recorded_curves_and_norm_match_closed_form():
    probs = [sample_problem(n=30, m=300, seed=s) for s in range(2)]
    steps = np.array([0, 1, 10, 100, 1000, 4000])
    res = simulate_gd(probs, lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=4000, record=steps)
    for i, p in enumerate(probs):
        dyn = dynamics(p, lam=1e-3, eta=1.0)
        # float64 rounding accumulated over 4000 explicit steps stays ~1e-12
        # relative (measured ~1e-13); 1e-9 is the suite's curve tolerance
        np.testing.assert_allclose(res.train_loss[i], dyn.train_loss(steps), rtol=1e-9)
        np.testing.assert_allclose(res.population_loss[i], dyn.population_loss(steps),
                                   rtol=1e-9)
        # ||theta(t)||^2 = sum_i a_i(t)^2 + (1 - eta lam)^(2t) ||P theta(0)||^2
        # (orthogonal row and null spaces); same 1e-9 relative tolerance
        norm = (dyn.row_coords(steps) ** 2).sum(-1) + \
            np.exp(2 * steps * np.log1p(-1e-3)) * p.spectrum.null_init_sq
        np.testing.assert_allclose(res.weight_norm_sq[i], norm, rtol=1e-9)
    assert res.weight_norm_sq[0, 0] == pytest.approx(float(probs[0].init @ probs[0].init),
                                                     rel=1e-14)


def test_stop_when_generalized_stops_at_the_last_t2():
    probs = [sample_problem(n=20, m=200, seed=s) for s in range(2)]
    res = simulate_gd(probs, lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=100_000,
                      stop_when_generalized=True)
    assert res.steps_run == res.t2.max() < 100_000


def test_gd_times_conventions_at_horizon():
    probs = [sample_problem(n=20, m=200, seed=0)]
    runs, horizon = gd_times(probs, seeds=[0], lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=50)
    assert horizon == 50
    # censored at the horizon: undecided (None with a reason), never False
    assert runs[0]["t2"] is None and "horizon" in runs[0]["undecided"]["t2"]
    assert runs[0]["generalizes"] is None and runs[0]["groks"] is None
    runs, horizon = gd_times(probs, seeds=[0], lam=1e-3, eta=1.0, eps=0.01, c=0.01)
    ex = grokking_times(probs[0], lam=1e-3, eta=1.0, eps=0.01, c=0.01)
    assert (runs[0]["t1"], runs[0]["t2"]) == (ex.t1, ex.t2)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(horizon=-1), ValueError, "horizon"),
    (dict(horizon=2.5), ValueError, "horizon"),
    (dict(eta=1e4), ValueError, "eta"),
    (dict(eta=0.0), ValueError, "eta"),
    (dict(lam=-1e-3), ValueError, "lam"),
    (dict(eps=0.0), ValueError, "eps"),
    (dict(c=-1.0), ValueError, "c must"),
    (dict(lam=np.ones(3) * 1e-3), ValueError, "lam"),
    (dict(eta=np.ones((1, 2, 2))), ValueError, "eta"),
    (dict(lam=np.ones((1, 3)) * 1e-3, eta=np.ones((1, 2))), ValueError, "columns"),
    (dict(init_scale=-1.0), ValueError, "init_scale"),
    (dict(record=[0, 11]), ValueError, "record"),
    (dict(lam=float("nan")), ValueError, "lam"),
])
def test_simulate_gd_bad_input(kwargs, exc, match):
    args = dict(lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=10)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        simulate_gd([sample_problem(n=5, m=20, seed=s) for s in range(2)], **args)


def test_simulate_gd_bad_problems():
    with pytest.raises(ValueError, match="problems"):
        simulate_gd([], lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=10)
    with pytest.raises(ValueError, match="problems"):
        simulate_gd([sample_problem(n=5, m=20), sample_problem(n=6, m=20)], lam=1e-3,
                    eta=1.0, eps=0.01, c=0.01, horizon=10)
    with pytest.raises(TypeError, match="problems"):
        simulate_gd(["x"], lam=1e-3, eta=1.0, eps=0.01, c=0.01, horizon=10)


def test_divergence_message_names_eta_and_limit():
    p = sample_problem(n=20, m=200, seed=0)
    limit = 2 / (p.spectrum.lmax / 20 + 1e-3)
    with pytest.raises(ValueError, match=r"eta.*diverges"):
        simulate_gd([p], lam=1e-3, eta=limit * 1.001, eps=0.01, c=0.01, horizon=5)
    simulate_gd([p], lam=1e-3, eta=limit * 0.999, eps=0.01, c=0.01, horizon=5)


# --------------------------------------------------------------------------
# sweeps and slopes
# --------------------------------------------------------------------------
def test_sweep_lam_and_eta_slopes_small_problem():
    # n=20, m=200: t2 ~ ln((m-n) nu2 m ... ) / (2 eta lam); slopes -1 - eta lam / 2
    # with eta lam <= 2^-9 ~ 2e-3 -> deviation <= ~1e-3 at the grid's top; the
    # fit averages it to < 6e-4 (tolerance 1e-3, the spec's)
    lam = sweep("lam", [2.0 ** -k for k in range(9, 14)], seeds=[0, 1], defaults=SMALL)
    eta = sweep("eta", [0.25, 0.5, 1.0, 2.0], seeds=[0, 1], defaults=dict(SMALL, lam=2.0 ** -11))
    for sw in (lam, eta):
        a = sw.agreement
        assert a["t1_equal"] == a["runs"] == a["t2_equal"] == sw.t1.size   # exact
        assert "explicit GD on all" in sw.method
        slope = loglog_slope(sw.values, sw.t2.mean(axis=0))
        assert slope == pytest.approx(-1.0, abs=SLOPE_TOLERANCE)
    # t1 scales as 1/eta as well (every time scales as 1/eta; rounding 1/t1 ~ 1e-2)
    assert loglog_slope(eta.values, eta.t1.mean(axis=0)) == pytest.approx(-1.0, abs=0.05)


def test_sweep_shape_parameters_and_gd_subset():
    sw = sweep("n", [10, 20, 40], seeds=[0, 1, 2], gd_seeds=[1], defaults=SMALL)
    assert sw.gd.sum() == 3 and sw.gd[1].all() and not sw.gd[0].any()
    assert sw.agreement == {"runs": 3, "t1_equal": 3, "t2_equal": 3}
    assert "exact closed form" in sw.method and "seeds [1]" in sw.method
    assert np.array_equal(sw.t1, sw.exact_t1) and np.array_equal(sw.t2, sw.exact_t2)
    d = sw.to_dict()
    json.dumps(d, allow_nan=False)
    assert set(d["bounds"]) == {"Eq. (8) t1 upper (sample lmin)",
                                "Eq. (8) t1 upper (Marchenko-Pastur)", "Eq. (8) t2 lower"}
    # the small setting uses eta = 1 > 1/(lam + b^2): Thm 4.2's step size fails, said so
    assert all("thm42_step_size" in f for f in d["failed_conditions"])


@pytest.mark.parametrize("kwargs,match", [
    (dict(parameter="mu"), "parameter"),
    (dict(values=[]), "values"),
    (dict(seeds=[]), "seeds"),
    (dict(gd_seeds=[7]), "gd_seeds"),
])
def test_sweep_bad_input(kwargs, match):
    args = dict(parameter="lam", values=[1e-3], seeds=[0], defaults=SMALL)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        sweep(**args)


def test_chunks_cover_every_column_once():
    for h in ([2395, 4789, 9577, 19152], [20000, 27000, 34000], [5], [9, 1, 5, 5]):
        chunks = _chunks(h)
        assert sorted(j for c in chunks for j in c) == list(range(len(h)))
    assert _chunks([20000, 27000, 34000]) == [[0, 1, 2]]


def test_loglog_slope_errors():
    with pytest.raises(ValueError, match="x and y"):
        loglog_slope([1.0], [1.0])
    with pytest.raises(ValueError, match="> 0"):
        loglog_slope([1.0, 2.0], [0.0, 1.0])


def test_loss_curves_gd_matches_closed_form():
    cur = loss_curves([0, 1, 2], horizon=3000, points=30, setting=SMALL)
    assert cur.agreement == {"runs": 3, "t1_equal": 3, "t2_equal": 3}     # exact
    # relative 1e-9: rounding accumulated over 3000 steps (~1e-13 measured)
    assert max(cur.max_rel_dev.values()) < CURVE_RTOL
    json.dumps(cur.to_dict(), allow_nan=False)


# --------------------------------------------------------------------------
# bounds
# --------------------------------------------------------------------------
def test_bounds_hold_on_small_random_grid():
    # every bound must hold (slack >= 1) on every seed meeting its assumptions;
    # no tolerance: the bounds are inequalities between exact integers and floats
    grid = bounds_grid(20, seeds_per_setting=3)
    assert len(grid.settings) == 20
    for name, st in grid.bounds.items():
        assert st["checked"] > 0, name
        assert st["violations"] == 0, (name, st)
        assert st["slack_min"] >= 1.0, name
    assert grid.violations == ()
    json.dumps(grid.to_dict(), allow_nan=False)


def test_thm41_envelopes_hold_everywhere():
    # THM41_RTOL = 1e-12: the norm envelope is an equality at t = 0, both sides
    # summed in different orders (a few ulps)
    res = thm41_check(3, seeds_per_setting=2)
    assert res.all_held, res.held
    assert res.min_slack["norm_upper"] == pytest.approx(1.0, abs=1e-12)
    assert res.min_slack["test_lower"] > 1.0


def test_bounds_grid_bad_input():
    with pytest.raises(ValueError, match="n_settings"):
        bounds_grid(0)
    with pytest.raises(ValueError, match="seeds_per_setting"):
        bounds_grid(2, seeds_per_setting=0)


# --------------------------------------------------------------------------
# figures and the report (one quick run shared by the tests below)
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    from validation.ridge import make_figures

    out = tmp_path_factory.mktemp("ridge_figures")
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # the figure job must not warn
        manifest = make_figures(out, quick=True)
    return out, manifest


def test_quick_figures_written_with_config(quick_run):
    out, manifest = quick_run
    for key in ("fig1_loss_curves", "fig2_sweeps"):
        exts = sorted(f.rsplit(".", 1)[1] for f in manifest[key])
        assert exts == ["json", "pdf", "png"]
        assert (out / f"{key}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (out / f"{key}.pdf").read_bytes()[:5] == b"%PDF-"
        side = json.loads((out / f"{key}.json").read_text())
        cfg = side["config"]
        for k in ("defaults", "seeds", "definitions", "version", "method", "thresholds",
                  "seed_streams"):
            assert k in cfg, (key, k)
        assert "t1" in cfg["definitions"] and "t2" in cfg["definitions"]
        assert side["data"]
    assert manifest["config"]["seeds"] and "t1" in manifest["config"]["definitions"]
    assert sorted(manifest) == ["config", "fig1_loss_curves", "fig2_sweeps", "summary",
                                "validation_report"]


def test_quick_report_agreement_slopes_bounds(quick_run):
    out, manifest = quick_run
    rep = json.loads((out / "validation_report.json").read_text())
    assert rep["agreement"]["all_equal"] and rep["agreement"]["gd_runs"] > 40
    # slopes from GD-measured t2, tolerance 1e-3 (see module docstring)
    for key in ("t2_vs_lam", "t2_vs_eta"):
        assert abs(rep["slopes"][key] + 1) <= SLOPE_TOLERANCE, rep["slopes"][key]
    assert rep["slopes"]["t2_slopes_within_tolerance"]
    assert rep["curves"]["max_rel_dev"]["train"] < CURVE_RTOL
    assert rep["curves"]["max_rel_dev"]["test"] < CURVE_RTOL
    assert rep["bounds_grid"]["total_violations"] == 0
    assert rep["thm41"]["all_held"]
    assert manifest["summary"]["bound_violations"] == 0
    assert manifest["summary"]["gd_equals_closed_form"]


def test_make_figures_bad_out_dir(tmp_path):
    from validation.ridge import make_figures

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="out_dir"):
        make_figures(blocker / "sub", quick=True)


def test_theory_does_not_import_validation():
    import subprocess
    import sys

    code = ("import sys, theory.ridge, theory.ridge.bounds, theory.ridge.control; "
            "print(any(m.startswith('validation') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------
# slow tier: paper-scale checks (python3 -m pytest -m slow)
# --------------------------------------------------------------------------
@pytest.mark.slow
def test_bounds_hold_on_large_random_grid():
    grid = bounds_grid(500, seeds_per_setting=3, seed=7)
    assert grid.total_violations == 0, grid.violations[:5]
    assert all(st["checked"] > 500 for st in grid.bounds.values())


@pytest.mark.slow
def test_thm41_envelopes_many_settings():
    res = thm41_check(30, seeds_per_setting=3, seed=4141)
    assert res.all_held, res.held


@pytest.mark.slow
def test_paper_scale_sweeps_match_closed_form_and_slopes():
    # paper defaults, lam 2^-10..2^-16 and eta 0.25..4, 3 seeds, every run GD;
    # tolerance: exact integers; slopes 1e-3 (eta lam <= 2^-10)
    lam = sweep("lam", [2.0 ** -k for k in range(10, 17)], seeds=[0, 1, 2])
    eta = sweep("eta", [0.25, 0.5, 1.0, 2.0, 4.0], seeds=[0, 1, 2])
    for sw in (lam, eta):
        a = sw.agreement
        assert a["t1_equal"] == a["runs"] == a["t2_equal"] == sw.t1.size
        slope = loglog_slope(sw.values, sw.t2.mean(axis=0))
        assert slope == pytest.approx(-1.0, abs=SLOPE_TOLERANCE)


@pytest.mark.slow
def test_paper_defaults_seed0_exact_integers():
    # the reference numbers: seed 0 at the defaults, GD and closed form
    p = sample_problem(seed=0)
    res = simulate_gd([p], lam=1e-4, eta=1.0, eps=0.01, c=0.01, horizon=23_000)
    assert (int(res.t1[0]), int(res.t2[0])) == (208, 22698)


@pytest.mark.slow
def test_agreement_on_random_settings():
    # 40 random small settings (lam, eta incl. oscillating, nu2, eps = c): exact
    rng = np.random.default_rng(np.random.SeedSequence(99))
    settings = []
    for k in range(40):
        n = int(rng.integers(5, 40))
        m = int(rng.integers(n // 2 + 1, 8 * n))
        settings.append(dict(label=f"random {k}", n=n, m=m,
                             nu2=float(np.exp(rng.uniform(-4, 2))),
                             lam=float(np.exp(rng.uniform(np.log(1e-3), np.log(3e-2)))),
                             eta=float(rng.uniform(0.2, 1.0)) * (8.0 if k % 4 == 0 else 1.0),
                             eps=0.01, c=0.01, seeds=(k, k + 1000)))
    settings = [s for s in settings
                if all(s["eta"] * (sample_problem(s["n"], s["m"], s["nu2"], seed=seed)
                                   .spectrum.lmax / s["n"] + s["lam"]) < 2
                       for seed in s["seeds"])]
    res = check_agreement(settings)
    assert res.mismatches == ()
    assert res.curves["max_rel_dev"]["train"] < CURVE_RTOL
