"""Effective theory (theory.effective): counts, forcing, RQI, exact flow, critical curve."""

import itertools

import numpy as np
import pytest

from theory.effective import (
    ArithmeticTask,
    PhaseDefinition,
    analyze_split,
    classify_phase,
    critical_curve,
    effective_flow,
    effective_gradient,
    effective_loss,
    euler_flow,
    full_nullity,
    hessian_eigenvalues,
    normalize_representation,
    nullity,
    predicted_accuracy,
    random_split,
    rqi,
    split_from_pairs,
)
from theory.effective.critical import forcing_statistics
from theory.effective.task import TrainingSplit

P4_FORCING = [(0, 2), (1, 1), (0, 3), (1, 2), (1, 3), (2, 2)]
P6_FORCING = [(0, 4), (1, 3), (1, 5), (2, 4), (0, 2), (1, 1), (3, 3)]


# ----------------------------------------------------------------- counts and spectra
@pytest.mark.parametrize("p, count", [(4, 3), (6, 13), (10, 70)])
def test_parallelogram_counts(p, count):
    task = ArithmeticTask(p)
    assert task.n_parallelograms == count
    assert task.n_samples == p * (p + 1) // 2
    # every parallelogram pairs two distinct samples with the same sum
    par = task.parallelograms
    assert np.all(par[:, 0] < par[:, 1])
    assert np.array_equal(task.labels[par[:, 0]], task.labels[par[:, 1]])


def test_counts_by_brute_force():
    # independent count: unordered pairs of distinct unordered samples with equal sums
    for p in (4, 6, 10):
        samples = [(i, j) for i in range(p) for j in range(i, p)]
        brute = sum(1 for a, b in itertools.combinations(samples, 2) if sum(a) == sum(b))
        assert brute == ArithmeticTask(p).n_parallelograms


def test_full_data_spectrum_p10():
    task = ArithmeticTask(10)
    a = task.constraint_rows.astype(float)
    ev = np.linalg.eigvalsh(a.T @ a)
    assert np.allclose(ev[:2], 0, atol=1e-10)
    assert ev[2] == pytest.approx(30.0, rel=1e-12)
    assert full_nullity(task) == 2
    # rows close on the translation and on the line
    assert np.all(task.constraint_rows @ np.ones(10) == 0)
    assert np.all(task.constraint_rows @ np.arange(10) == 0)


def test_modular_task_full_nullity_is_translation_only():
    task = ArithmeticTask(7, modular=True)
    assert task.n_classes == 7
    assert full_nullity(task) == 1


# ----------------------------------------------------------------- forcing examples
def test_p4_forcing_example():
    a = analyze_split(split_from_pairs(ArithmeticTask(4), P4_FORCING))
    assert a.n0 == 2 and a.forced and a.lambda3 > 0 and a.rqi_bar == 1.0


def test_p6_forcing_example():
    a = analyze_split(split_from_pairs(ArithmeticTask(6), P6_FORCING))
    assert a.n0 == 2 and a.forced and a.lambda3 > 0 and a.rqi_bar == 1.0


def test_p6_forcing_example_is_minimal_in_one_direction():
    # dropping (3, 3) removes parallelograms and leaves a free direction
    a = analyze_split(split_from_pairs(ArithmeticTask(6), P6_FORCING[:-1]))
    assert a.n0 > 2 and not a.forced and a.lambda3 == 0 and np.isinf(a.n_h)


def test_forced_iff_lambda3_positive_iff_rqi_bar_one():
    task = ArithmeticTask(10)
    for size in (15, 20, 22, 25, 30):
        for seed in range(10):
            a = analyze_split(random_split(task, size, seed))
            assert a.forced == (a.n0 == 2) == (a.lambda3 > 0) == (a.rqi_bar == 1.0)


def test_nullity_matches_rank_of_constraint_matrix():
    task = ArithmeticTask(10)
    for seed in range(5):
        split = random_split(task, 25, seed)
        rows = task.constraint_rows[split.parallelogram_mask]
        rank = np.linalg.matrix_rank(rows) if rows.size else 0
        assert nullity(split) == task.p - rank


def test_hessian_normalisations():
    split = random_split(ArithmeticTask(10), 55, 0)
    ev = hessian_eigenvalues(split)
    assert ev[2] == pytest.approx(2 * 30 / 9, rel=1e-12)      # Z0 = 9 for p = 10
    ev_paper = hessian_eigenvalues(split, normalisation="paper")
    assert np.allclose(ev_paper, ev / 70)
    a = analyze_split(split, eta=1e-3)
    assert a.n_h == pytest.approx(1 / (a.lambda3 * 1e-3))


# ----------------------------------------------------------------- representations
def test_normalised_linear_representation_p10():
    e = normalize_representation(np.arange(10.0)[:, None])[:, 0]
    assert np.allclose(e, (np.arange(10) - 4.5) / 3.0277, atol=2e-5)   # spec rounds 3.02765
    assert np.sum(e**2) == pytest.approx(9.0, rel=1e-12)


def test_linear_representation_rqi_one_and_acc_hat_equals_acc_bar():
    task = ArithmeticTask(10)
    for size in (20, 30, 45):
        for seed in range(5):
            split = random_split(task, size, seed)
            lin = -1.7 + 0.37 * np.arange(10.0)
            assert rqi(lin, task) == 1.0
            assert rqi(lin, task, convention="literal", delta=1e-9) == 1.0
            a = analyze_split(split)
            acc_hat, acc_hat_test = predicted_accuracy(lin, split)
            # linear R satisfies all of P0, hence all of P(D): Acc_hat >= Acc_bar, with
            # equality when the split forces the structure (then P(D) = P0)
            assert acc_hat >= a.acc_bar
            if a.forced:
                assert acc_hat == a.acc_bar and acc_hat_test == a.acc_bar_test


def test_random_representation_rqi_near_zero():
    # A defect of four roughly unit-variance normalised coordinates has sd ~ 2, so
    # P(defect^2 < 0.01) ~ 0.2 / (2 sqrt(2 pi)) ~ 0.04: the mean RQI must be well below 0.1.
    task = ArithmeticTask(10)
    rng = np.random.default_rng(0)
    values = rqi(rng.uniform(-0.5, 0.5, (400, 10, 1)), task)
    assert values.shape == (400,)
    assert 0.0 < values.mean() < 0.1


def test_rqi_collapsed_and_bad_input():
    task = ArithmeticTask(10)
    assert rqi(np.ones(10), task) == 0.0     # normalisation undefined: no parallelogram
    with pytest.raises(ValueError, match="finite"):
        rqi(np.r_[np.nan, np.arange(9.0)], task)
    with pytest.raises(ValueError, match="shape"):
        rqi(np.arange(9.0), task)
    with pytest.raises(ValueError, match="convention"):
        rqi(np.arange(10.0), task, convention="nope")


def test_dbar_from_code_semantics_p4():
    # p = 4, D = {(0,3)}: the test sample (1,2) has the same sum; with the parallelogram
    # (0,3,1,2) in P it becomes predictable, without it not.
    task = ArithmeticTask(4)
    split = split_from_pairs(task, [(0, 3)])
    lin = np.arange(4.0)
    acc_hat, acc_hat_test = predicted_accuracy(lin, split)
    assert acc_hat == pytest.approx(2 / 10) and acc_hat_test == pytest.approx(1 / 9)
    bent = np.array([0.0, 1.0, 5.0, 3.0])
    assert predicted_accuracy(bent, split)[0] == pytest.approx(1 / 10)


# ----------------------------------------------------------------- effective flow
def _start(seed=1, p=10):
    e = np.random.default_rng(seed).uniform(-0.5, 0.5, p)
    return e


def test_flow_conserves_z0_and_solves_the_ode():
    split = random_split(ArithmeticTask(10), 30, 3)
    e0 = _start()
    t = np.array([0.0, 0.05, 0.3, 2.0, 50.0])
    flow = effective_flow(split, e0, t)
    assert np.allclose((flow.embedding**2).sum(axis=(1, 2)), np.sum(e0**2), rtol=1e-13)
    # central difference of the closed form == -grad l_eff (h = 1e-5: truncation ~1e-10)
    for tk in (0.05, 0.3, 2.0):
        h = 1e-5
        ep, em = effective_flow(split, e0, [tk + h, tk - h]).embedding
        deriv = (ep - em) / (2 * h)
        mid = effective_flow(split, e0, [tk]).embedding[0]
        assert np.allclose(deriv, -effective_gradient(split, mid), rtol=1e-6, atol=1e-9)


def test_centre_sum_is_not_conserved_but_obeys_its_ode():
    split = random_split(ArithmeticTask(10), 40, 2)
    e0 = _start() + 0.3                     # C(0) != 0
    ts = np.linspace(0, 0.5, 2001)
    flow = effective_flow(split, e0, ts)
    c = flow.centre_sum[:, 0]
    assert abs(c[-1] - c[0]) > 1e-3 * abs(c[0])          # the paper's "C conserved" fails
    l0 = flow.loss * flow.z0
    rate = 2 * l0 / flow.z0**2
    # integrate dC/dt = (2 l0/Z0^2) C with the trapezoid rule; dt = 2.5e-4 and the fast
    # initial transient (rate changes on a scale ~0.01) leave a quadrature error ~1e-6
    predicted = c[0] * np.exp(np.concatenate([[0], np.cumsum((rate[1:] + rate[:-1]) / 2
                                                               * np.diff(ts))]))
    assert np.allclose(c, predicted, rtol=1e-5)   # while C itself moves by ~30%
    # with a zero-mean start C stays 0
    flow0 = effective_flow(split, e0 - e0.mean(), ts[::100])
    assert np.allclose(flow0.centre_sum, 0, atol=1e-12)


def test_flow_converges_to_linear_when_forced_and_matches_euler():
    split = random_split(ArithmeticTask(10), 45, 0)
    assert analyze_split(split).forced
    e0 = normalize_representation(_start()[:, None])[:, 0]
    flow = effective_flow(split, e0, [0.0, 5.0, 40.0])
    assert rqi(flow.embedding[-1], split.task) == 1.0
    assert flow.loss[-1] < 1e-12 * flow.loss[0]
    euler = euler_flow(split, e0, 1e-4, 2000)        # t = 0.2, Euler error O(eta) ~ 1e-4
    exact = effective_flow(split, e0, [0.2]).embedding[0]
    assert np.allclose(euler[-1], exact, atol=2e-4)


def test_hessian_equals_finite_difference_at_ground_state():
    split = random_split(ArithmeticTask(10), 45, 0)
    e_star = normalize_representation(np.arange(10.0)[:, None])[:, 0]
    # Hessian of l_eff at E* by central differences of the analytic gradient (h = 1e-6)
    h = 1e-6
    hess = np.empty((10, 10))
    for k in range(10):
        d = np.zeros(10)
        d[k] = h
        diff = effective_gradient(split, e_star + d) - effective_gradient(split, e_star - d)
        hess[:, k] = diff[:, 0] / (2 * h)
    rows = split.task.constraint_rows[split.parallelogram_mask]
    assert np.allclose(hess, 2 * rows.T @ rows / 9.0, atol=1e-6)
    assert effective_loss(split, e_star) < 1e-28


# ----------------------------------------------------------------- critical curve
def test_critical_curve_exact_p4_matches_brute_force():
    task = ArithmeticTask(4)
    curve = critical_curve(task)
    assert curve.exact.all() and np.all(curve.stderr == 0)
    for k, q in zip(curve.train_size, curve.p_forced):
        subsets = list(itertools.combinations(range(task.n_samples), int(k)))
        brute = np.mean([nullity(split_from_pairs(task, task.pairs[list(s)])) == 2
                         for s in subsets])
        assert q == pytest.approx(brute, abs=1e-15)


def test_critical_curve_monte_carlo_within_its_stderr():
    task = ArithmeticTask(6)
    exact = critical_curve(task, [8, 10, 12], exact_limit=400_000)   # C(21, 10) = 352,716
    mc = critical_curve(task, [8, 10, 12], trials=4000, seed=3, exact_limit=1)
    assert exact.exact.all() and not mc.exact.any()
    # 4 standard errors: a false failure has probability ~6e-5 per point
    assert np.all(np.abs(mc.p_forced - exact.p_forced) <= 4 * np.maximum(mc.stderr, 1e-3))


def _independent_forcing_rate(p, size, trials, rng):
    """P(forced) by a second method: parallelograms from their definition and the rank by SVD."""
    samples = [(i, j) for i in range(p) for j in range(i, p)]
    hits = 0
    for _ in range(trials):
        train = [samples[k] for k in rng.choice(len(samples), size=size, replace=False)]
        rows = []
        for (i, j), (m, n) in itertools.combinations(train, 2):
            if i + j == m + n:
                row = np.zeros(p)
                np.add.at(row, [i, j], 1.0)
                np.add.at(row, [m, n], -1.0)
                rows.append(row)
        rank = np.linalg.matrix_rank(np.array(rows)) if rows else 0
        hits += p - rank == 2
    return hits / trials


def test_critical_fraction_p10_against_a_second_method():
    # (Liu et al. read r_c ~ 0.4 off their Fig. 4a; the reference here is an independent
    # Monte Carlo, compared size by size within 4 combined binomial standard errors)
    curve = critical_curve(ArithmeticTask(10), trials=1000, seed=0)
    rng = np.random.default_rng(np.random.SeedSequence(2024))
    for size in (16, 20, 24, 28):
        k = size - 1
        ref = _independent_forcing_rate(10, size, 400, rng)
        se = np.sqrt(ref * (1 - ref) / 400 + curve.stderr[k] ** 2)
        assert abs(curve.p_forced[k] - ref) <= 4 * max(se, 1.0 / 400), size
    assert curve.p_forced[0] == 0 and curve.p_forced[-1] == 1
    # lambda_3 grows with the training fraction and reaches 60/9 at full data
    med = curve.lambda3_median[np.isfinite(curve.lambda3_median)]
    assert med[-1] == pytest.approx(60 / 9) and med[-1] > 10 * med[0]


def test_critical_curve_reproducible_per_size():
    task = ArithmeticTask(10)
    a = critical_curve(task, [20, 25], trials=200, seed=5)
    b = critical_curve(task, [25], trials=200, seed=5)
    assert a.p_forced[1] == b.p_forced[0]


# ----------------------------------------------------------------- phases
def test_phase_edge_cases():
    d = PhaseDefinition(budget=10_000, acc_threshold=0.9, lag=1000)
    assert classify_phase(100, 1100, d)["phase"] == "comprehension"      # lag exactly 1e3
    assert classify_phase(100, 1101, d)["phase"] == "grokking"
    assert classify_phase(500, 200, d)["phase"] == "comprehension"       # val first
    assert classify_phase(100, 10_000, d)["phase"] == "memorization"     # outside budget
    res = classify_phase(None, 50, d)
    assert res["phase"] == "confusion" and res["val_without_train"]
    assert classify_phase(1, 2, d, diverged=True)["phase"] == "diverged"
    with pytest.raises(ValueError, match="acc_threshold"):
        PhaseDefinition(acc_threshold=1.5)
    with pytest.raises(ValueError, match="acc_threshold"):
        PhaseDefinition(acc_threshold=0)


# ----------------------------------------------------------------- bad input
def test_bad_input():
    with pytest.raises(ValueError, match="p must"):
        ArithmeticTask(1)
    with pytest.raises(TypeError, match="p must"):
        ArithmeticTask(2.5)
    task = ArithmeticTask(10)
    for size in (0, 56):
        with pytest.raises(ValueError, match="train_size"):
            random_split(task, size, 0)
    with pytest.raises(ValueError, match="train_size"):
        critical_curve(task, [60])
    with pytest.raises(ValueError, match="same unordered sample"):
        split_from_pairs(task, [(1, 2), (2, 1)])
    with pytest.raises(ValueError, match="finite"):
        effective_flow(random_split(task, 30, 0), np.full(10, np.inf), [1.0])
    with pytest.raises(ValueError, match="t must"):
        effective_flow(random_split(task, 30, 0), np.arange(10.0), [-1.0])


def test_bad_input_is_refused_by_name():
    # hardening (issue 10): each of these used to divide by zero, round silently, give NaN
    # or fail later with an IndexError
    task = ArithmeticTask(6)
    split = random_split(task, 15, 0)
    with pytest.raises(ValueError, match="d_in must be an integer >= 1"):
        hessian_eigenvalues(split, d_in=0)
    with pytest.raises(ValueError, match="d_in must be an integer >= 1"):
        analyze_split(split, d_in=-1)
    with pytest.raises(TypeError, match="symbol i must be an integer"):
        task.sample_index(1.5, 2)
    with pytest.raises(TypeError, match="pairs must hold integer symbols"):
        split_from_pairs(task, [(0.5, 1.0)])
    with pytest.raises(ValueError, match=r"train must hold strictly increasing sample indices"):
        TrainingSplit(task, np.array([3, 100]))
    with pytest.raises(TypeError, match="split must be a TrainingSplit"):
        nullity(task)
    with pytest.raises(ValueError, match="split_or_rows must contain only finite"):
        effective_loss(np.array([[1.0, np.nan, -1.0, 0.0, 0.0, 0.0]]), np.arange(6.0))
    with pytest.raises(ValueError, match="embedding must contain only finite"):
        normalize_representation(np.array([[0.0], [np.nan]]))
    with pytest.raises(ValueError, match=r"masks must be a boolean array of shape \(T, 21\)"):
        forcing_statistics(task, np.ones((3, 20), dtype=bool))
    with pytest.raises(TypeError, match="iteration counts must be integers"):
        classify_phase("300", 500)
    with pytest.raises(ValueError, match="iteration counts must be integers"):
        classify_phase(float("inf"), 500)
    with pytest.raises(TypeError, match="modular must be a bool"):
        ArithmeticTask(5, modular="no")


def test_large_allocations_are_refused_before_they_are_made():
    # (not run against the old code: it would try to allocate the arrays)
    with pytest.raises(ValueError, match=r"parallelograms \(limit"):
        _ = ArithmeticTask(600).parallelograms
    with pytest.raises(ValueError, match="GiB of trajectory"):
        euler_flow(np.ones((1, 4)), np.arange(4.0), 0.1, 10 ** 9)


# ----------------------------------------------------------------- symbolic layer
def test_symbolic_hessian_and_dynamics_match_numeric():
    import sympy as sp

    from theory.effective import symbolic

    split = split_from_pairs(ArithmeticTask(4), P4_FORCING)
    h = symbolic.hessian(split, z0=3)
    ev_sym = sorted(float(k) for k, mult in h.eigenvals().items() for _ in range(mult))
    assert np.allclose(ev_sym, hessian_eigenvalues(split), atol=1e-14)
    basis = symbolic.ground_states(split)
    assert sp.Matrix.hstack(*basis, sp.ones(4, 1), sp.Matrix([0, 1, 2, 3])).rank() == 2
    e0 = [1, -2, 0, 3]
    expr = symbolic.effective_dynamics(split, e0)
    f = sp.lambdify(symbolic.t, expr, "numpy")
    for tk in (0.0, 0.1, 1.0, 4.0):
        num = effective_flow(split, np.array(e0, float), [tk]).embedding[0, :, 0]
        assert np.allclose(np.asarray(f(tk), float).ravel(), num, rtol=1e-12, atol=1e-14)
    lin = symbolic.linearised_dynamics(split, z0=3)
    r0 = sp.symbols("R0_0:4")
    at0 = lin.subs(symbolic.t, 0)
    assert all(sp.simplify(at0[k] - r0[k]) == 0 for k in range(4))
    assert "e^{" in symbolic.to_latex(lin[0])
