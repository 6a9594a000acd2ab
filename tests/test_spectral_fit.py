"""Fitting and grouped evaluation of early-curve models on synthetic corpora (fast tier)."""

import numpy as np
import pytest

from theory.spectral.roc import auroc
from validation.spectral.fit import (
    _inner_folds,
    block_bootstrap,
    calibration_metrics,
    fit_logistic,
    held_out_predictions,
    select_and_fit,
)


def _planted_blocks(n_cells=24, per_cell=6, seed=0):
    # The label is a property of the cell, not of anything a new cell would share; each
    # cell also has a "fingerprint" (indicator columns).  Only a CV that lets a cell's runs
    # be both fitted and tested can use the fingerprint.
    rng = np.random.default_rng(seed)
    cell = np.repeat(np.arange(n_cells), per_cell)
    cell_label = rng.permutation(np.r_[np.ones(n_cells // 2), np.zeros(n_cells - n_cells // 2)])
    y = cell_label[cell].astype(bool)
    table = {f"ind{c}": (cell == c).astype(float) + 0.01 * rng.normal(size=cell.size)
             for c in range(n_cells)}
    return table, y, cell


def test_grouped_cv_never_sees_the_held_out_cell():
    table, y, cell = _planted_blocks()
    sets = {"fingerprint": tuple(table)}
    held = held_out_predictions(table, y, cell, sets, Cs=(1.0, 100.0), n_inner=4)
    grouped = auroc(held["logit"], y)
    # a leaky CV (runs split at random, ignoring cells) memorises the cells' labels
    rng = np.random.default_rng(1)
    fold = rng.permutation(np.arange(y.size) % 6)
    X = np.column_stack(list(table.values()))
    leaky = np.empty(y.size)
    for k in range(6):
        te = fold == k
        leaky[te] = fit_logistic(X[~te], y[~te], 100.0).logit(X[te])
    assert auroc(leaky, y) > 0.95
    assert grouped < 0.6  # no information about a new cell (chance or worse)


def test_planted_signal_recovers_coefficient_signs():
    rng = np.random.default_rng(3)
    n = 400
    cell = np.repeat(np.arange(40), n // 40)
    a, b, noise = rng.normal(size=(3, n))
    y = (1.5 * a - 1.0 * b + 0.5 * rng.normal(size=n)) > 0
    table = {"a": a, "b": b, "noise": noise}
    fit = select_and_fit(table, y, cell, {"ab": ("a", "b"), "all": ("a", "b", "noise")},
                         Cs=(0.1, 1.0, 10.0))
    coef = dict(zip(fit.features, fit.coef))
    assert coef["a"] > 0 and coef["b"] < 0
    assert abs(coef["a"] / coef["b"]) == pytest.approx(1.5, rel=0.3)
    held = held_out_predictions(table, y, cell, {"all": ("a", "b", "noise")}, Cs=(1.0,))
    assert auroc(held["logit"], y) > 0.9


@pytest.mark.parametrize("C", [0.01, 0.3, 100.0])
def test_fit_logistic_matches_scikit_learn(C):
    # independent reference: scikit-learn's lbfgs on the same objective (optional test dep)
    sk = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 3)) * [3.0, 0.5, 1.0] + [1.0, -2.0, 0.0]
    y = (X[:, 0] + 4 * X[:, 1] + rng.normal(size=200) > -7.0)
    fit = fit_logistic(X, y, C)
    Z = (X - X.mean(0)) / X.std(0)
    ref = sk.LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(Z, y)
    np.testing.assert_allclose(fit.coef, ref.coef_[0], rtol=1e-5, atol=1e-8)
    assert fit.intercept == pytest.approx(ref.intercept_[0], rel=1e-5, abs=1e-8)


def test_fit_logistic_survives_separable_data():
    # separable classes: the L2 term keeps the optimum finite; Newton with backtracking gets it
    x = np.r_[np.linspace(-2, -0.1, 20), np.linspace(0.1, 2, 20)]
    y = x > 0
    fit = fit_logistic(x[:, None], y, 100.0)
    assert np.isfinite(fit.coef).all() and fit.coef[0] > 5
    # optimality: gradient of |w|^2/2 + C sum logloss vanishes
    z = (x - x.mean()) / x.std()
    p = 1 / (1 + np.exp(-(fit.intercept + fit.coef[0] * z)))
    assert abs(fit.coef[0] + 100.0 * np.sum((p - y) * z)) < 1e-6
    assert abs(np.sum(p - y)) < 1e-8


def test_inner_folds_keep_cells_whole_and_balanced():
    groups = np.repeat(np.arange(13), np.arange(1, 14))
    folds = _inner_folds(groups, 5)
    assert len(folds) == 5
    seen = np.concatenate([te for _, te in folds])
    assert np.sort(seen).tolist() == list(range(groups.size))
    for tr, te in folds:
        assert not set(groups[tr]) & set(groups[te])
    sizes = [te.size for _, te in folds]
    assert max(sizes) - min(sizes) <= 13


def test_block_bootstrap_is_paired_and_reports_its_unit():
    rng = np.random.default_rng(7)
    cell = np.repeat(np.arange(30), 5)
    y = rng.random(150) < 0.4
    good = y + rng.normal(scale=0.8, size=150)
    res = block_bootstrap({"good": good, "noise": rng.normal(size=150)}, y, cell, n_boot=400,
                          seed=0, reference="good")
    assert res["good"]["low"] <= res["good"]["estimate"] <= res["good"]["high"]
    assert res["_differences"]["noise"]["low"] > 0  # good beats noise on paired resamples
    assert res["_bootstrap"]["unit"].startswith("hyperparameter cell (30")
    again = block_bootstrap({"good": good, "noise": rng.normal(size=150)}, y, cell, n_boot=400,
                            seed=0, reference="good")
    assert again["good"] == res["good"]


def test_calibration_metrics_of_perfect_and_constant_forecasts():
    y = np.array([0, 0, 1, 1, 1], bool)
    perfect = calibration_metrics(y.astype(float), y)
    assert perfect["brier"] == 0.0 and perfect["ece"] == 0.0
    const = calibration_metrics(np.full(5, 0.6), y)
    assert const["brier"] == pytest.approx(const["brier_base_rate"])
    assert const["ece"] == pytest.approx(0.0, abs=1e-12)
