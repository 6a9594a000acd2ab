"""Property tests of ``theory.adaptive_kernel`` (see ``test_properties_registry.py``)."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties_registry import (
    INF,
    NAN,
    bad_choice,
    bad_count,
    bad_nonnegative,
    bad_positive,
    bad_real,
    covers,
    make_invalid_test,
    make_valid_test,
    rejects,
)

from theory._budget import memory_limit
from theory._checks import AssumptionWarning, RangeOverflowError
from theory.adaptive_kernel import finite_d as FD
from theory.adaptive_kernel import finite_data as FDA
from theory.adaptive_kernel import finite_p as FP
from theory.adaptive_kernel import integrals as I
from theory.adaptive_kernel import model_a as A
from theory.adaptive_kernel import model_b as B
from theory.adaptive_kernel import symbolic as Y

pytestmark = pytest.mark.filterwarnings("ignore::theory._checks.AssumptionWarning")

finite_reals = st.floats(-1e3, 1e3)
bad_array = st.sampled_from([[np.nan], [np.inf, 1.0], "q", None, [1.0, "a"]])

# --------------------------------------------------------------------------- integrals
moment_args = st.fixed_dictionaries({
    "q": st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=4),
    "w_norm2": st.floats(0.0, 1e6)})
for _f in (I.erf_h1_moment, I.erf_h3_moment, I.erf_z3_moment):
    globals()[f"test_valid_{_f.__name__}"] = make_valid_test(_f, moment_args)
    globals()[f"test_invalid_{_f.__name__}"] = make_invalid_test(_f, moment_args, {
        "q": bad_array, "w_norm2": bad_nonnegative})

test_valid_hermite3 = make_valid_test(
    I.hermite3, st.fixed_dictionaries({"z": st.lists(finite_reals, min_size=1)}),
    lambda out, z: np.allclose(out, np.polynomial.hermite_e.hermeval(z, [0, 0, 0, 1]),
                               rtol=1e-12, atol=1e-9))
test_invalid_hermite3 = make_invalid_test(
    I.hermite3, st.just({"z": 1.0}), {"z": bad_array})


@st.composite
def erf_erf_args(draw):
    var_u, var_v = draw(st.floats(0.0, 1e4)), draw(st.floats(0.0, 1e4))
    rho = draw(st.floats(-1.0, 1.0))
    return {"var_u": var_u, "var_v": var_v, "cov": rho * math.sqrt(var_u * var_v)}


test_valid_erf_erf = make_valid_test(I.erf_erf_expectation, erf_erf_args(),
                                     lambda out, **kw: -1 <= out <= 1)
test_invalid_erf_erf = make_invalid_test(I.erf_erf_expectation, erf_erf_args(), {
    "var_u": bad_nonnegative, "var_v": bad_nonnegative,
    "cov": st.sampled_from([np.nan, "c", 1e9])})

# --------------------------------------------------------------------------- model A
config_a_args = st.fixed_dictionaries({
    "n": st.floats(10.0, 1e5), "d": st.floats(5.0, 1e4), "N": st.floats(5.0, 1e5),
    "sigma_w2": st.floats(0.05, 5.0), "sigma_a2": st.floats(1e-4, 1.0),
    "eps": st.floats(-1.0, 1.0)})
test_valid_config_a = make_valid_test(A.ModelAConfig, config_a_args,
                                      lambda c, **kw: c.u(0.2) > 0 and c.kappa(0.2) > 0)
test_invalid_config_a = make_invalid_test(A.ModelAConfig, config_a_args, {
    "n": bad_positive, "d": bad_positive, "N": bad_positive, "sigma_w2": bad_positive,
    "sigma_a2": bad_positive, "eps": bad_real})

u_args = st.fixed_dictionaries({
    "n": st.floats(1.0, 1e5), "d": st.floats(1.0, 1e4), "N": st.floats(1.0, 1e5),
    "sigma_a2": st.floats(1e-4, 10.0), "sigma2": st.floats(1e-3, 10.0)})
test_valid_u = make_valid_test(A.interaction_u, u_args)
test_invalid_u = make_invalid_test(A.interaction_u, u_args, {
    k: bad_positive for k in ("n", "d", "N", "sigma_a2", "sigma2")})
kappa_args = u_args.map(lambda a: {k: a[k] for k in ("n", "d", "sigma_a2", "sigma2")}
                        | {"sigma_w2": 0.5})
test_valid_kappa = make_valid_test(A.kappa, kappa_args)
test_invalid_kappa = make_invalid_test(A.kappa, kappa_args, {
    k: bad_positive for k in ("n", "d", "sigma_a2", "sigma_w2", "sigma2")})

action_args = st.fixed_dictionaries({
    "q": st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=5), "u": st.floats(0.0, 1e3),
    "b": st.floats(-2.0, 2.0), "c": st.floats(-2.0, 2.0), "sigma_w2": st.floats(1e-3, 10.0)})
ACTION_BAD = {"q": bad_array, "u": bad_nonnegative, "b": bad_real, "c": bad_real,
              "sigma_w2": bad_positive}


def _action_even(out, q, **kw):
    # S~ is even in q and S~(0) = 0
    assert np.allclose(out, A.reduced_action(-np.asarray(q), **kw), rtol=1e-13, atol=0)
    assert A.reduced_action(0.0, **kw) == 0.0


test_valid_action = make_valid_test(A.reduced_action, action_args, _action_even)
test_invalid_action = make_invalid_test(A.reduced_action, action_args, ACTION_BAD)
test_valid_action_d = make_valid_test(A.reduced_action_derivatives, action_args)
test_invalid_action_d = make_invalid_test(A.reduced_action_derivatives, action_args,
                                          ACTION_BAD)

line_args = st.fixed_dictionaries({"b": st.floats(1e-6, 1 - 1e-6),
                                   "eps": st.floats(-1.0, 1.0),
                                   "sigma_w2": st.floats(1e-2, 10.0)})
for _f in (A.critical_line, A.spinodal_line):
    globals()[f"test_valid_{_f.__name__}"] = make_valid_test(
        _f, line_args, lambda out, **kw: out is None or all(v > 0 for k, v in out.items()
                                                              if k != "kappa_c"
                                                              and k != "kappa_sp"))
    globals()[f"test_invalid_{_f.__name__}"] = make_invalid_test(_f, line_args, {
        "b": st.sampled_from([0.0, 1.0, -0.5, np.nan, None]), "eps": bad_real,
        "sigma_w2": bad_positive})

gfl_b_args = st.fixed_dictionaries({"u": st.floats(0.0, 1e4),
                                    "kappa_value": st.floats(1e-3, 1e3),
                                    "sigma_w2": st.floats(1e-2, 10.0)})
test_valid_gfl_b = make_valid_test(A.gfl_b, gfl_b_args, lambda b, **kw: 0 < b < 1)
test_invalid_gfl_b = make_invalid_test(A.gfl_b, gfl_b_args, {
    "u": bad_nonnegative, "kappa_value": bad_positive, "sigma_w2": bad_positive})

configs_a = config_a_args.map(lambda kw: A.ModelAConfig(**kw))
noise = st.floats(0.02, 2.0)
gfl_args = st.fixed_dictionaries({"config": configs_a, "sigma2": noise})
test_valid_gfl = make_valid_test(A.gfl_solution, gfl_args,
                                 lambda g, **kw: 0 < g.b < 1 and 0 < g.stability <= 1)
test_invalid_gfl = make_invalid_test(A.gfl_solution, gfl_args, {
    "config": st.sampled_from([None, B.BASE_MODEL_B]), "sigma2": bad_positive})


@st.composite
def kernel_args(draw):
    cfg = draw(configs_a)
    s2 = draw(noise)
    g = A.gfl_solution(cfg, s2)
    return {"config": cfg, "sigma2": s2, "b": g.b * draw(st.floats(0.0, 1.0)),
            "p": draw(st.floats(0.0, 1.0)), "q_star": draw(st.floats(-3.0, 3.0))}


def _kernel_psd(Q, **kw):
    assert np.allclose(Q, Q.T) and np.linalg.eigvalsh(Q).min() >= -1e-15 * np.abs(Q).max()


test_valid_kernel = make_valid_test(A.kernel_matrix, kernel_args(), _kernel_psd)
test_invalid_kernel = make_invalid_test(A.kernel_matrix, kernel_args(), {
    "config": st.sampled_from([None]), "sigma2": bad_positive, "b": bad_real,
    "p": st.sampled_from([-0.1, 1.5, np.nan, None]), "q_star": bad_real})


@st.composite
def gpr_args(draw):
    k = np.array(draw(st.lists(st.floats(-1.0, 1.0), min_size=4, max_size=4))).reshape(2, 2)
    return {"kernel": k @ k.T, "n": draw(st.floats(1.0, 1e5)), "sigma2": draw(noise),
            "eps": draw(st.floats(-1.0, 1.0))}


def _gpr_check(bc, kernel, n, sigma2, eps):
    # second method: the GPR residual (sigma2/n)(Q + sigma2/n)^-1 y solves the linear system
    b, c = bc
    lhs = (kernel * n / sigma2 + np.eye(2)) @ np.array([b, math.sqrt(6) * c])
    assert np.allclose(lhs, [1.0, math.sqrt(6) * eps], rtol=1e-9, atol=1e-9)


test_valid_gpr = make_valid_test(A.gpr_coefficients, gpr_args(), _gpr_check)
test_invalid_gpr = make_invalid_test(A.gpr_coefficients, gpr_args(), {
    "kernel": st.sampled_from([np.zeros(2), -np.eye(2), np.full((2, 2), np.nan), "k"]),
    "n": bad_positive, "sigma2": bad_positive, "eps": bad_real})

# slow ones: a handful of configurations near the paper's
configs_a_near = st.fixed_dictionaries({
    "eps": st.floats(-0.6, -0.1), "sigma_w2": st.floats(0.3, 1.0),
    "n": st.floats(1500.0, 4000.0)}).map(lambda kw: A.ModelAConfig(**kw))
test_valid_critical = make_valid_test(
    A.critical_point,
    st.fixed_dictionaries({"config": configs_a_near,
                           "method": st.sampled_from(["closed_form", "root"])}),
    lambda cp, **kw: (not cp.first_order) or cp.u_spinodal is None or cp.u_spinodal < cp.u_c,
    max_examples=5)
test_invalid_critical = make_invalid_test(
    A.critical_point, st.just({"config": A.BASE_MODEL_A, "method": "closed_form"}),
    {"config": st.sampled_from([None, B.BASE_MODEL_B]), "method": bad_choice})

phase_args = st.fixed_dictionaries({"config": st.just(A.BASE_MODEL_A),
                                    "sigma2": st.floats(0.05, 0.5)})
test_valid_phase = make_valid_test(A.phase_point, phase_args,
                                   lambda pt, **kw: 0 <= pt.p <= 1, max_examples=8)
test_invalid_phase = make_invalid_test(A.phase_point, phase_args, {
    "config": st.sampled_from([None]), "sigma2": bad_positive,
    "critical": st.sampled_from(["cp", 3])})
test_valid_mixed = make_valid_test(A.mixed_phase, phase_args, max_examples=8)
test_invalid_mixed = make_invalid_test(A.mixed_phase, phase_args, {
    "config": st.sampled_from([None]), "sigma2": bad_positive})
diagram_args = st.fixed_dictionaries({
    "config": st.just(A.BASE_MODEL_A),
    "sigma2": st.lists(st.floats(0.05, 0.5), min_size=1, max_size=3)})
test_valid_diagram = make_valid_test(A.phase_diagram, diagram_args, max_examples=4)
test_invalid_diagram = make_invalid_test(A.phase_diagram, diagram_args, {
    "config": st.sampled_from([None]), "sigma2": st.sampled_from([[], [0.0], [np.nan], "s"])})

# --------------------------------------------------------------------------- finite d
density_args = st.fixed_dictionaries({
    "q": st.lists(st.floats(-5.0, 5.0), min_size=1, max_size=4),
    "config": st.just(A.ModelAConfig(n=375, d=53, N=88, sigma_a2=0.0323)),
    "sigma2": st.floats(0.05, 1.0), "b": st.floats(0.0, 1.0), "c": st.floats(-0.5, 0.0),
    "d": st.one_of(st.none(), st.floats(5.0, 500.0)), "points": st.integers(2, 2001)})
test_valid_density = make_valid_test(FD.overlap_density, density_args,
                                     lambda p, **kw: np.all(p >= 0))
test_invalid_density = make_invalid_test(FD.overlap_density, density_args, {
    "q": bad_array, "config": st.sampled_from([None]), "sigma2": bad_positive,
    "b": bad_real, "c": bad_real, "d": bad_positive, "points": bad_count})
fd_args = st.fixed_dictionaries({
    "config": st.just(A.ModelAConfig(n=375, d=53, N=88, sigma_a2=0.0323)),
    "sigma2": st.floats(0.1, 0.4), "tail_threshold": st.floats(0.1, 1.0),
    "points": st.integers(201, 1001)})
test_valid_fd = make_valid_test(FD.finite_d_solution, fd_args,
                                lambda s, **kw: 0 <= s.tail_fraction <= 1, max_examples=4)
test_invalid_fd = make_invalid_test(FD.finite_d_solution, fd_args, {
    "config": st.sampled_from([None]), "sigma2": bad_positive,
    "tail_threshold": bad_positive, "points": bad_count, "tol": bad_positive})


# --------------------------------------------------------------------------- finite data
@st.composite
def loop_args(draw):
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    n, d = draw(st.integers(2, 12)), draw(st.integers(1, 3))
    x = rng.normal(size=(n, d))
    return {"x": x, "y": x[:, 0], "sigma2": draw(st.floats(0.05, 1.0)),
            "sigma_a2": draw(st.floats(0.1, 2.0)), "sigma_w2": draw(st.floats(0.1, 2.0)),
            "N": draw(st.floats(10.0, 1e12)), "n_samples": draw(st.integers(2 * d, 300)),
            "max_iter": draw(st.integers(1, 20)), "seed": draw(st.integers(0, 100))}


test_valid_loop = make_valid_test(FDA.adaptive_kernel_loop, loop_args(),
                                  lambda r, **kw: 0 < r.ess, max_examples=8,
                                  allow=("result.residual",))   # inf after one iteration
test_invalid_loop = make_invalid_test(FDA.adaptive_kernel_loop, loop_args(), {
    "x": st.sampled_from([np.full((3, 1), np.nan), np.ones(3), "x"]),
    "y": st.sampled_from([np.full(99, 1.0), [np.inf] * 2, "y"]),
    "sigma2": bad_positive, "sigma_a2": bad_positive, "sigma_w2": bad_positive,
    "N": bad_positive, "n_samples": bad_count, "damping": st.sampled_from([0.0, 1.5, None]),
    "max_iter": bad_count, "tol": bad_positive, "seed": st.sampled_from([-1, 1.5, "s"]),
    "activation": st.sampled_from(["erf", 3])})


@st.composite
def projection_args(draw):
    z = np.array(draw(st.lists(st.floats(-5, 5), min_size=3, max_size=40)))
    basis = np.stack([z, z ** 3 - 3 * z], axis=1)
    sv = np.linalg.svd(basis, compute_uv=False)
    if sv[-1] <= 1e-6 * sv[0]:                    # ill-conditioned: refused (tested below)
        z = np.concatenate([z, [0.5, 1.5]])
    b, c = draw(st.floats(-2, 2)), draw(st.floats(-2, 2))
    return {"values": b * z + c * (z ** 3 - 3 * z), "z": z, "_bc": (b, c)}


def _projection_check(bc, values, z, _bc):
    # exact data: least squares recovers the coefficients
    assert np.allclose(bc, _bc, rtol=1e-7, atol=1e-7)


test_valid_projection = make_valid_test(
    FDA.hermite_projection, projection_args(), _projection_check,
    call=lambda _bc, **kw: FDA.hermite_projection(**kw))
test_invalid_projection = make_invalid_test(
    FDA.hermite_projection, projection_args().map(lambda a: {"values": a["values"],
                                                             "z": a["z"]}),
    {"values": st.sampled_from([[np.nan] * 3, [1.0], "v"]),
     "z": st.sampled_from([[np.inf] * 3, [1.0, -1.0, 1.0], "z", [0.0, 1.0, 2e-207]])})

# --------------------------------------------------------------------------- model B
test_valid_is_prime = make_valid_test(
    B.is_prime, st.fixed_dictionaries({"P": st.integers(-10, 10 ** 5)}),
    lambda r, P: r == (P >= 2 and all(P % k for k in range(2, int(P ** 0.5) + 1))))
test_invalid_is_prime = make_invalid_test(
    B.is_prime, st.just({"P": 7}), {"P": st.sampled_from([7.0, "7", None, True])})

primes = st.sampled_from([2, 3, 5, 7, 11, 13])
for _f in (B.two_hot_inputs, B.modular_target):
    globals()[f"test_valid_{_f.__name__}"] = make_valid_test(
        _f, st.fixed_dictionaries({"P": primes}))
    globals()[f"test_invalid_{_f.__name__}"] = make_invalid_test(
        _f, st.fixed_dictionaries({"P": primes}),
        {"P": st.sampled_from([1, 0, -7, 2.5, "7", None, 10007])})
spectrum_args = st.fixed_dictionaries({"P": st.sampled_from([2, 3, 5, 7, 101, 10007]),
                                       "sigma_a2": st.floats(1e-4, 10.0)})
test_valid_spectrum = make_valid_test(
    B.nngp_spectrum, spectrum_args,
    lambda s, P, sigma_a2: sum(x["multiplicity"] for x in s) == P * P)
test_invalid_spectrum = make_invalid_test(B.nngp_spectrum, spectrum_args, {
    "P": st.sampled_from([1, 2.5, "7"]), "sigma_a2": bad_positive})
test_valid_nngp_matrix = make_valid_test(
    B.nngp_kernel_matrix, st.fixed_dictionaries({"P": st.sampled_from([2, 3, 5]),
                                                 "sigma_a2": st.floats(1e-3, 10.0)}),
    lambda Q, P, sigma_a2: np.allclose(
        np.sort(np.linalg.eigvalsh(Q)),
        np.sort(np.concatenate([np.full(s["multiplicity"], s["eigenvalue"])
                                for s in B.nngp_spectrum(P, sigma_a2)])), rtol=1e-10))
test_invalid_nngp_matrix = make_invalid_test(
    B.nngp_kernel_matrix, st.just({"P": 3, "sigma_a2": 1.0}),
    {"P": st.sampled_from([1, 2.5, 10007]), "sigma_a2": bad_positive})


@st.composite
def overlap_args(draw):
    P = draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    return {"w": rng.normal(size=P), "v": rng.normal(size=P)}


def _overlap_check(out, w, v):
    # brute force over all (n, m) pairs of the target y_p(n, m)
    P = w.size
    direct = np.zeros(P)
    for p in range(P):
        for n in range(P):
            for m in range(P):
                y = (1.0 if (n + m) % P == p else 0.0) - 1.0 / P
                direct[p] += y * (w[n] + v[m]) ** 2
    assert np.allclose(out, direct, atol=1e-10)


test_valid_overlap = make_valid_test(B.fourier_target_overlap, overlap_args(), _overlap_check)
test_invalid_overlap = make_invalid_test(B.fourier_target_overlap, overlap_args(), {
    "w": st.sampled_from([[np.nan], [[1.0]], "w", []]), "v": st.sampled_from([[np.inf], "v"])})

mode_args = st.fixed_dictionaries({
    "phi": st.lists(st.floats(0.0, 1e4), min_size=1, max_size=3),
    "psi": st.lists(st.floats(0.0, 1e4), min_size=1, max_size=3).map(lambda x: x[:1]),
    "g": st.floats(0.0, 10.0), "gamma": st.floats(0.0, 1.0)})
test_valid_mode = make_valid_test(B.mode_action, mode_args)
test_invalid_mode = make_invalid_test(B.mode_action, mode_args, {
    "phi": st.sampled_from([[-1.0], [np.nan], "p"]), "psi": st.sampled_from([[-1.0], [np.inf]]),
    "g": bad_nonnegative, "gamma": bad_nonnegative})
diag_args = mode_args.map(lambda a: {"x": a["phi"], "g": a["g"], "gamma": a["gamma"]})
test_valid_diag = make_valid_test(
    B.diagonal_action, diag_args,
    lambda s, x, g, gamma: np.allclose(s, B.mode_action(x, x, g, gamma), rtol=1e-12,
                                       atol=1e-12))
test_invalid_diag = make_invalid_test(B.diagonal_action, diag_args, {
    "x": st.sampled_from([[-1.0], [np.nan], "x"]), "g": bad_nonnegative,
    "gamma": bad_nonnegative})

saddle_args = st.fixed_dictionaries({
    "g": st.floats(0.0, 10.0), "gamma": st.floats(1e-300, 1.0).filter(lambda v: v >= 1e-300)})


def _saddle_check(s, g, gamma):
    if s is None:
        assert g * g < gamma * (1 + 1e-12)
        return
    xm, xp = s
    # both are stationary points of S~(x) = x - g x^2 + (gamma/3) x^3, in scaled form
    for x in (xm, xp):
        assert abs(1 - 2 * g * x + gamma * x * x) <= 1e-9 * max(1.0, 2 * g * x)


test_valid_saddles = make_valid_test(
    B.saddles, saddle_args.filter(lambda a: a["g"] / math.sqrt(a["gamma"]) < 1e150),
    _saddle_check)
test_invalid_saddles = make_invalid_test(B.saddles, saddle_args, {
    "g": bad_nonnegative, "gamma": st.sampled_from([0.0, -1.0, 1e-320, np.nan, None])})

weight_args = st.fixed_dictionaries({
    "g": st.floats(0.0, 1.0), "gamma": st.floats(1e-8, 1e-2), "P": st.integers(1, 10 ** 4),
    "degeneracy": st.floats(0.1, 10.0), "action_multiplier": st.floats(0.5, 2.0)})
WEIGHT_BAD = {"g": bad_nonnegative, "gamma": bad_positive, "P": bad_count,
              "degeneracy": bad_positive, "action_multiplier": bad_positive}
test_valid_weight = make_valid_test(B.specialised_fraction, weight_args,
                                    lambda w, **kw: 0.0 <= w <= 1.0)
test_invalid_weight = make_invalid_test(B.specialised_fraction, weight_args, WEIGHT_BAD)
test_valid_phipsi = make_valid_test(B.phi_psi_mean, weight_args,
                                    lambda v, **kw: v >= 0)
test_invalid_phipsi = make_invalid_test(B.phi_psi_mean, weight_args, WEIGHT_BAD)

config_b_args = st.fixed_dictionaries({
    "P": st.sampled_from([3, 7, 101, 401]), "N": st.floats(10.0, 1e5),
    "sigma_a2": st.floats(1e-7, 1e-2), "gamma": st.floats(1e-300, 1e-1)})
test_valid_config_b = make_valid_test(B.ModelBConfig, config_b_args)
test_invalid_config_b = make_invalid_test(B.ModelBConfig, config_b_args, {
    "P": st.sampled_from([1, 2.5, "7"]), "N": bad_positive, "sigma_a2": bad_positive,
    "gamma": st.sampled_from([0.0, -1.0, 1e-320, None])})
configs_b = config_b_args.map(lambda kw: B.ModelBConfig(**kw))
sc_args = st.fixed_dictionaries({
    "config": configs_b, "sigma2": st.floats(1e-3, 10.0),
    "normalisation": st.sampled_from(["paper", "matrix"])})
test_valid_sc = make_valid_test(
    B.self_consistent_a, sc_args,
    lambda pt, **kw: 0 < pt.abs_a <= 1 and 0 <= pt.weight <= 1, max_examples=25)
test_invalid_sc = make_invalid_test(B.self_consistent_a, sc_args, {
    "config": st.sampled_from([None, A.BASE_MODEL_A]), "sigma2": bad_positive,
    "normalisation": bad_choice, "degeneracy": bad_positive,
    "action_multiplier": bad_positive})
curve_args = st.fixed_dictionaries({
    "config": configs_b, "sigma2": st.lists(st.floats(1e-3, 1.0), min_size=1, max_size=3)})
test_valid_curve_b = make_valid_test(B.self_consistent_curve, curve_args, max_examples=8)
test_invalid_curve_b = make_invalid_test(B.self_consistent_curve, curve_args, {
    "config": st.sampled_from([None]), "sigma2": st.sampled_from([[0.0], [np.nan], ["a"]]),
    "normalisation": bad_choice})
thr_args = st.fixed_dictionaries({"config": configs_b,
                                  "normalisation": st.sampled_from(["paper", "matrix"])})
test_valid_thresholds = make_valid_test(
    B.thresholds, thr_args,
    lambda t, **kw: t.sigma2_spinodal > t.sigma2_I and (
        t.sigma2_II is None or 0 < t.sigma2_II < t.sigma2_I))
test_invalid_thresholds = make_invalid_test(B.thresholds, thr_args, {
    "config": st.sampled_from([None, A.BASE_MODEL_A]), "normalisation": bad_choice})


# --------------------------------------------------------------------------- model B, finite P
# Each mode_moments call integrates a 2-D density on ~350^2 nodes (a few ms); a finite-P
# solution is ~40 of them.  Sizes are capped and the slow ones take few examples.
any_gamma = st.one_of(st.sampled_from([2.3e-308, 1e-300, 6e307, 1.7e308]),
                      st.floats(-307.0, 308.0).map(lambda e: 10.0 ** e))


def _threshold_check(thr, gamma):
    # the barrier x_- of the diagonal action at coexistence g_c = 2 sqrt(gamma/3), from the
    # saddle code of model_b (x_- = 1/(sqrt(gamma) X)), at every normal gamma
    assert thr == pytest.approx(B.saddles(2.0 * math.sqrt(gamma / 3.0), gamma)[0], rel=1e-12,
                                abs=0)


test_valid_default_threshold = make_valid_test(
    FP.default_threshold, st.fixed_dictionaries({"gamma": any_gamma}), _threshold_check)
test_invalid_default_threshold = make_invalid_test(
    FP.default_threshold, st.just({"gamma": 1.0}), {"gamma": bad_positive})

bad_threshold = st.sampled_from([0.0, -1.0, NAN, INF, "1", True, 1j])   # None is the default


@st.composite
def density_args(draw):
    gamma = 10.0 ** draw(st.floats(-8.0, 4.0))
    # g / sqrt(gamma): 1 is the spinodal (x_+ appears), 2/sqrt(3) coexistence
    ratio = draw(st.one_of(st.sampled_from([0.0, 1.0, 2.0 / math.sqrt(3.0)]),
                           st.floats(0.0, 3.0)))
    return {"g": ratio * math.sqrt(gamma), "gamma": gamma,
            "P": draw(st.one_of(st.integers(2, 401), st.floats(1.0, 1e4))),
            "action_multiplier": draw(st.floats(0.5, 2.0)),
            "threshold": draw(st.one_of(st.none(), st.floats(1e-3, 1e3))),
            "order": draw(st.integers(2, 12))}


def _moments_check(mom, g, **kw):
    assert 0.0 <= mom.specialised <= 1.0 and mom.phi > 0 and mom.phi_psi > 0
    # positive association (FKG): the log-density's mixed derivative m P g is >= 0, so
    # <Phi Psi> >= <Phi><Psi>, with equality at g = 0 (the density factorises)
    assert mom.phi_psi >= mom.phi ** 2 * (1 - 1e-9)
    if g == 0.0:
        assert mom.phi_psi == pytest.approx(mom.phi ** 2, rel=1e-12, abs=0)
    # d<Phi Psi>/dg = m P Var(Phi Psi) >= 0 (module docstring): a stronger coupling
    stronger = FP.mode_moments(g + 0.1 * math.sqrt(kw["gamma"]), **kw)
    assert stronger.phi_psi >= mom.phi_psi * (1 - 1e-9)


test_valid_mode_moments = make_valid_test(FP.mode_moments, density_args(), _moments_check,
                                          max_examples=25)
# refusals are cheap: enough examples to meet every (parameter, bad value) pair
test_invalid_mode_moments = make_invalid_test(FP.mode_moments, density_args(), {
    "g": bad_nonnegative, "gamma": st.sampled_from([0.0, -1.0, 1e-320, NAN, INF, None, "1"]),
    "P": bad_positive, "action_multiplier": bad_positive, "threshold": bad_threshold,
    "order": bad_count}, max_examples=150)


@settings(max_examples=10)
@covers(FP.mode_moments)
@given(gamma=st.floats(-307.0, -206.0).map(lambda e: 10.0 ** e), P=st.integers(2, 401))
def test_mode_moments_documented_overflow(gamma, P):
    # the density's range reaches sqrt(3/gamma) > 5e102, whose cube overflows: refused
    # (a RangeOverflowError, also a ValueError) instead of NaN moments
    with pytest.raises(RangeOverflowError):
        FP.mode_moments(0.0, gamma, P)


@covers(FP.mode_moments, FP.mode_marginal)
@pytest.mark.parametrize("order", [400, 10 ** 6])
def test_quadrature_size_is_budgeted(order):
    # ~45 order nodes per axis: the n x n arrays (order 400) or leggauss' order x order
    # eigenproblem (order 10^6) are refused before they are allocated, naming order
    with memory_limit(0.5):
        rejects(lambda: FP.mode_moments(1.0, 1.0, 11, order=order), "order")
        rejects(lambda: FP.mode_marginal([0.0, 1.0], 1.0, 1.0, 11, order=order), "order")


@st.composite
def marginal_args(draw):
    kw = draw(density_args())
    kw.pop("threshold")
    kw["order"] = draw(st.integers(6, 12))       # the masses below are good to 1e-7 from 6 on
    if draw(st.booleans()):          # bins covering the whole density: their masses sum to 1
        cut = FP.mode_moments(**kw).nodes.max()
        edges = np.linspace(0.0, 1.01 * cut, draw(st.integers(2, 60)))
    else:
        start = draw(st.floats(0.0, 10.0))
        steps = draw(st.lists(st.floats(1e-3, 10.0), min_size=1, max_size=30))
        edges = start + np.concatenate([[0.0], np.cumsum(steps)])
    return kw | {"edges": edges}


def _marginal_check(dens, edges, **kw):
    mass = dens * np.diff(edges)
    assert np.all(dens >= 0)
    # a second quadrature (bins) against the normalisation Z of the node grid
    if edges[0] == 0.0 and edges[-1] > FP.mode_moments(**kw).nodes.max():
        assert mass.sum() == pytest.approx(1.0, abs=1e-6)
    else:
        assert mass.sum() <= 1.0 + 1e-6


test_valid_mode_marginal = make_valid_test(FP.mode_marginal, marginal_args(), _marginal_check,
                                           max_examples=20)
test_invalid_mode_marginal = make_invalid_test(
    FP.mode_marginal, st.just({"edges": [0.0, 0.5, 1.0], "g": 1.0, "gamma": 1.0, "P": 5}), {
        "edges": st.sampled_from([[1.0], [1.0, 0.0], [-1.0, 1.0], [0.0, NAN], [0.0, INF],
                                  [[0.0, 1.0]], "e", None, [0.0, "a"]]),
        "g": bad_nonnegative, "gamma": bad_positive, "P": bad_positive,
        "action_multiplier": bad_positive, "order": bad_count}, max_examples=150)

NORMS = st.sampled_from(["matrix", "paper"])


@st.composite
def finite_p_args(draw, rel_noise=st.floats(-1.0, 0.5)):
    cfg = B.ModelBConfig(P=draw(st.sampled_from([3, 5, 7, 11, 13])),
                         N=10.0 ** draw(st.floats(1.0, 4.0)),
                         sigma_a2=10.0 ** draw(st.floats(-8.0, -2.0)),
                         gamma=10.0 ** draw(st.floats(-4.0, 1.0)))
    norm = draw(NORMS)
    s_I = B.thresholds(cfg, norm).sigma2_I           # the noise scale of the transition
    return {"config": cfg, "sigma2": s_I * 10.0 ** draw(rel_noise), "normalisation": norm,
            "action_multiplier": draw(st.sampled_from([1.0, 2.0])),
            "threshold": draw(st.one_of(st.none(), st.floats(0.01, 10.0))),
            "order": draw(st.sampled_from([4, 8]))}


def _solution_check(pt, config, sigma2, **kw):
    assert 0 < pt.abs_a <= 1 and pt.learned == pytest.approx(1 - pt.abs_a, abs=1e-15)
    # the GPR equation on the target at the root, with the reported eigenvalue
    assert pt.abs_a == pytest.approx(sigma2 / (pt.kernel_eigenvalue + sigma2), rel=1e-9, abs=0)
    # P >= 3: (P - 1)/2 >= 1 modes per neuron, so a neuron is specialised at least as often
    assert 0 <= pt.specialised_mode_fraction <= pt.specialised_neuron_fraction + 1e-15 <= 1 + 1e-15
    # more noise learns less: F(a) = a - sigma2/(lambda(a) + sigma2) falls with sigma2 at
    # every a (u and so lambda fall, sigma2/(lambda + sigma2) rises), so the root rises
    assert FP.finite_p_solution(config, 1.5 * sigma2, **kw).abs_a >= pt.abs_a - 1e-9


test_valid_finite_p_solution = make_valid_test(FP.finite_p_solution, finite_p_args(),
                                               _solution_check, max_examples=8)
test_invalid_finite_p_solution = make_invalid_test(FP.finite_p_solution, finite_p_args(), {
    "config": st.sampled_from([None, A.BASE_MODEL_A, "cfg"]), "sigma2": bad_positive,
    "normalisation": bad_choice, "action_multiplier": bad_positive,
    "threshold": bad_threshold, "order": bad_count}, max_examples=150)


@covers(FP.mode_moments, FP.finite_p_solution)
def test_fractions_are_probabilities_to_the_last_bit():
    # the specialised fraction, a partial sum over the total, rounded to 1.0000000000000002
    assert FP.mode_moments(4.0, 3.0, 401).specialised <= 1.0
    # 1 - (1 - f)^5 cancelled to 0 for f ~ 1e-17, below f itself; to first order it is 5 f
    pt = FP.finite_p_solution(B.ModelBConfig(P=11, N=16.0, sigma_a2=1.192092896e-07,
                                             gamma=0.109375), 0.0078125, normalisation="paper")
    f = pt.specialised_mode_fraction
    assert 0 < f < 1e-12 and pt.specialised_neuron_fraction == pytest.approx(5 * f, rel=1e-9)


def test_finite_p_solution_warns_at_p_2():
    # P = 2: one real nonzero mode, none of the complex modes the density is derived for
    with pytest.warns(AssumptionWarning, match="P = 2"):
        FP.finite_p_solution(B.ModelBConfig(P=2, N=64, sigma_a2=1e-3, gamma=1.0), 0.1, order=4)


@st.composite
def curve_args(draw):
    kw = draw(finite_p_args())
    levels = sorted(kw["sigma2"] * 10.0 ** np.array(
        draw(st.lists(st.floats(-0.5, 0.5), min_size=1, max_size=3))))
    return {"config": kw["config"], "sigma2": levels, "normalisation": kw["normalisation"],
            "order": 4}


def _curve_check(pts, config, sigma2, **kw):
    assert [p.sigma2 for p in pts] == list(sigma2)
    a = [p.abs_a for p in pts]
    assert all(lo <= hi + 1e-9 for lo, hi in zip(a, a[1:]))     # sorted noise: |a| rises


test_valid_finite_p_curve = make_valid_test(FP.finite_p_curve, curve_args(), _curve_check,
                                            max_examples=4)
test_invalid_finite_p_curve = make_invalid_test(FP.finite_p_curve, curve_args(), {
    "config": st.sampled_from([None, A.BASE_MODEL_A]),
    "sigma2": st.sampled_from([[], [0.0], [NAN], ["a"], "s", [[0.1, 0.2]]]),
    "normalisation": bad_choice, "order": bad_count}, max_examples=60)

sharp_args = st.fixed_dictionaries({
    "config": configs_b, "rel_noise": st.floats(-1.5, 0.5), "normalisation": NORMS}).map(
    lambda a: {"config": a["config"], "normalisation": a["normalisation"],
               "sigma2": B.thresholds(a["config"], a["normalisation"]).sigma2_I
               * 10.0 ** a["rel_noise"]})


def _sharp_check(r, config, sigma2, normalisation):
    t = B.thresholds(config, normalisation)
    assert 0 < r["abs_a"] <= 1 and -1e-12 <= r["specialised_mode_fraction"] <= 1 + 1e-12
    # the phase is set by the closed-form boundaries of model_b
    expected = ("GFL" if sigma2 >= t.sigma2_I else
                "GMFL-I" if t.sigma2_II is None or sigma2 >= t.sigma2_II else "GMFL-II")
    assert r["phase"] == expected
    # monotone in the noise, across the phase boundaries
    more = FP.sharp_limit_a(config, 1.3 * sigma2, normalisation=normalisation)
    assert more["abs_a"] >= r["abs_a"] * (1 - 1e-12)


test_valid_sharp_limit = make_valid_test(FP.sharp_limit_a, sharp_args, _sharp_check)
test_invalid_sharp_limit = make_invalid_test(FP.sharp_limit_a, sharp_args, {
    "config": st.sampled_from([None, A.BASE_MODEL_A]), "sigma2": bad_positive,
    "normalisation": bad_choice}, max_examples=60)


# --------------------------------------------------------------------------- symbolic
EXPRESSIONS = [Y.critical_conditions, Y.gfl_cubic, Y.model_b_thresholds, Y.reduced_action,
               Y.reduced_action_r, Y.spinodal_conditions]


def _exprs(obj):
    if isinstance(obj, dict):
        return [e for v in obj.values() for e in _exprs(v)]
    if isinstance(obj, (list, tuple)):
        return [e for v in obj for e in _exprs(v)]
    return [obj]


@covers(*EXPRESSIONS, Y.to_latex)
@pytest.mark.parametrize("func", EXPRESSIONS, ids=lambda f: f.__name__)
def test_symbolic_expressions_are_finite(func):
    for expr in _exprs(func()):
        assert isinstance(expr, sp.Basic)
        assert not expr.has(sp.zoo, sp.nan)
        assert Y.to_latex(expr)


@settings(max_examples=6)
@covers(Y.erf_hermite_moment, Y.numeric)
@given(k=st.integers(0, 5), q=st.floats(-2.0, 2.0))
def test_symbolic_hermite_moment_matches_numeric(k, q):
    f = Y.numeric(Y.erf_hermite_moment(k))
    value = float(f(**{n: v for n, v in (("q", q), ("w_norm2", 0.7 + q * q)) if n in f.args}))
    assert math.isfinite(value)
    if k == 1:
        assert value == pytest.approx(float(I.erf_h1_moment(q, 0.7 + q * q)), rel=1e-12,
                                      abs=1e-15)
    if k == 3:
        assert value == pytest.approx(float(I.erf_h3_moment(q, 0.7 + q * q)), rel=1e-12,
                                      abs=1e-15)


def test_symbolic_hermite_moment_refuses_bad_orders():
    for bad in (-1, 2.5, "3", None, True):
        rejects(lambda bad=bad: Y.erf_hermite_moment(bad), "k")
