"""Extreme but valid inputs: the float64 code against mpmath at 50 digits.

Every reference here is evaluated from its definition in mpmath, not from the
code's formulas:

* ridge: a diagonal design ``Phi = [diag(sqrt(s)) | 0]`` whose spectrum is known
  exactly, so ``theta(t)`` is written coordinate by coordinate (row space
  ``a_i(t) = a_inf + q_i^t (a_i(0) - a_inf)``, null space ``(1 - eta lam)^t
  theta_j(0)``) and the losses are sums over coordinates; ``lam`` down to 1e-12,
  ``t`` up to 3e12, ``m`` up to 1e5;
* adaptive kernel: the spec's closed forms of the critical and spinodal lines
  intersected with the GFL cubic by mpmath root finding, near ``u_c`` and at the
  spinodal; Model B's saddle weight from the definition of ``S~``;
* effective theory: eigenvalues of ``2 A^T A / Z0`` by ``mpmath.eigsy`` and the
  nullity by exact integer elimination (modulo two primes), up to ``p = 100``.

Tolerances: the float64 code evaluates powers as ``exp(t log1p(-x))``, whose
relative error is about ``|t log q| * 1e-16`` (``<= 1e-13`` on these grids), and
every other quantity to a few ulps; each test states its bound.  The worst
relative errors measured are recorded in ``WORST`` and printed by
``python tests/test_extremes.py``.
"""

import math
import warnings

import mpmath
import numpy as np
import pytest

from theory.adaptive_kernel import model_a as A
from theory.adaptive_kernel import model_b as B
from theory.effective import ArithmeticTask, hessian_eigenvalues, nullity, random_split
from theory.effective.structure import constraint_matrix
from theory.ridge import RidgeProblem, bounds_report, dynamics, grokking_times
from theory.ridge import bounds as RB

DPS = 50
WORST = {}


def _rel(got, ref, key):
    """Relative error of a float64 result against an mpmath reference (recorded)."""
    ref = mpmath.mpf(ref)
    err = float(abs(mpmath.mpf(got) - ref) / abs(ref)) if ref != 0 else abs(float(got))
    WORST[key] = max(WORST.get(key, 0.0), err)
    return err


# ---------------------------------------------------------------------------
# ridge: diagonal design
# ---------------------------------------------------------------------------

def _diagonal_problem(n, m, seed, teacher_norm=1.0, nu2=1.0):
    """``Phi = [diag(sqrt(s)) | 0]``: Phi^T Phi = diag(s, 0) exactly in float64."""
    rng = np.random.default_rng(seed)
    # ||phi_i||^2 in [0.5, 1.5]: the scale of N(0, I/m) features with m >> n
    phi = np.zeros((n, m))
    phi[np.arange(n), np.arange(n)] = np.sqrt(rng.uniform(0.5, 1.5, n))
    teacher = rng.standard_normal(m)
    teacher *= teacher_norm / np.linalg.norm(teacher)
    init = math.sqrt(nu2) * rng.standard_normal(m)
    prob = RidgeProblem(features=phi, teacher=teacher, init=init, feature_variance=1.0 / m,
                        nu2=nu2, feature_model="custom")
    return prob


_MP_CACHE = {}


def _mp_ridge_losses(prob, lam, eta, ts):
    """Train and population losses at the steps ``ts`` from theta(t) coordinate by coordinate.

    ``s_i = Phi_ii^2`` exactly (the float64 code sees it rounded once); the null
    coordinates enter through three exact sums, computed once per problem.
    """
    n, m = prob.n, prob.m
    with mpmath.workdps(DPS):
        if id(prob) not in _MP_CACHE:
            mpf = mpmath.mpf
            s = [mpf(float(prob.features[i, i])) ** 2 for i in range(n)]
            b = [mpf(float(v)) for v in prob.teacher]
            a0 = [mpf(float(v)) for v in prob.init]
            _MP_CACHE[id(prob)] = (prob, s, b[:n], a0[:n], (
                mpmath.fsum(x * x for x in a0[n:]),
                mpmath.fsum(x * y for x, y in zip(a0[n:], b[n:])),
                mpmath.fsum(y * y for y in b[n:])))
        _, s, b, a0, (null_00, null_0s, null_ss) = _MP_CACHE[id(prob)]
        lam_m, eta_m = mpmath.mpf(lam), mpmath.mpf(eta)
        g = 1 - eta_m * lam_m
        out = []
        for t in ts:
            train = mpmath.mpf(0)
            row = mpmath.mpf(0)
            for i in range(n):
                a_inf = s[i] * b[i] / (s[i] + n * lam_m)
                q = 1 - eta_m * (s[i] / n + lam_m)
                err = a_inf + q ** t * (a0[i] - a_inf) - b[i]
                train += s[i] * err * err
                row += err * err
            gt = g ** t
            null = gt * gt * null_00 - 2 * gt * null_0s + null_ss
            out.append((train / (2 * n), (row + null) / m))
        return out


RIDGE_CASES = [
    # (n, m, lam, eta, steps)
    (20, 200, 1e-12, 1.0, [0, 1, 10, 10 ** 3, 10 ** 6, 10 ** 9, 10 ** 12, 3 * 10 ** 12]),
    (30, 300, 1e-9, 0.5, [0, 7, 10 ** 4, 4 * 10 ** 9, 10 ** 11]),
    (50, 100_000, 1e-4, 1.0, [0, 1, 100, 10 ** 4, 10 ** 5]),
    (50, 100_000, 1e-12, 1.0, [0, 10 ** 6, 10 ** 12]),
]


@pytest.mark.parametrize("n,m,lam,eta,steps", RIDGE_CASES)
def test_ridge_losses_against_mpmath(n, m, lam, eta, steps):
    prob = _diagonal_problem(n, m, seed=n + m)
    dyn = dynamics(prob, lam=lam, eta=eta)
    ref = _mp_ridge_losses(prob, lam, eta, steps)
    t = np.array(steps)
    train, pop = dyn.train_loss(t), dyn.population_loss(t)
    for k, (rt, rp) in enumerate(ref):
        # |t log q| * 1e-16 <= 3e12 * 1e-12 * 1e-16 on the null mode; the row modes have
        # decayed to their limits, which are exact to a few ulps
        assert _rel(train[k], rt, "ridge train loss") < 1e-11, (steps[k], train[k], rt)
        assert _rel(pop[k], rp, "ridge population loss") < 1e-11, (steps[k], pop[k], rp)


@pytest.mark.parametrize("n,m,lam,eta", [(20, 200, 1e-12, 1.0), (50, 100_000, 1e-4, 1.0),
                                         (50, 100_000, 1e-12, 1.0)])
def test_ridge_times_against_mpmath(n, m, lam, eta):
    prob = _diagonal_problem(n, m, seed=n + m)
    eps, c = 0.01, 0.01
    res = grokking_times(prob, lam=lam, eta=eta, eps=eps, c=c)
    assert res.t1 is not None and res.t1 >= 0 and res.t2 is not None
    (tr0, _), (tr1, _), (_, p0), (_, p1) = _mp_ridge_losses(
        prob, lam, eta, [res.t1, res.t1 + 1, res.t2 - 1, res.t2])
    # exact integer times: the crossings hold at 50 digits
    assert tr0 >= eps > tr1
    assert p0 > c >= p1
    # and the train loss stays below eps after t1 (it is monotone here: the design has
    # no oscillating mode); checked at a few later steps
    later = _mp_ridge_losses(prob, lam, eta, [res.t1 + 10, 10 * res.t1 + 100, res.t2])
    assert all(tr < eps for tr, _ in later)


def _mp_bounds(prob, lam, eta, eps, c):
    """The spec's bound formulas in mpmath from the exact inputs of the diagonal design."""
    n, m = prob.n, prob.m
    with mpmath.workdps(DPS):
        mpf = mpmath.mpf
        s = [mpf(float(prob.features[i, i])) ** 2 for i in range(n)]
        lmin, b2 = min(s), max(s)
        lbar = mpmath.fsum(s) / n
        init = mpmath.fsum(mpf(float(v)) ** 2 for v in prob.init)
        tn = mpmath.sqrt(mpmath.fsum(mpf(float(v)) ** 2 for v in prob.teacher))
        nu2, lam, eta, eps, c = (mpf(x) for x in (prob.nu2, lam, eta, eps, c))
        sig = mpf(1) / m
        rho = 1 - eta * (lmin / n + lam)
        shift = (mpmath.sqrt(c / sig) + tn) ** 2
        return {
            "t1_upper_eq6": n * mpmath.log(6 * b2 * init / eps) / (2 * eta * lmin),
            "t2_lower_eq7": mpmath.log((m - n) * nu2 / 2 / shift) / (4 * eta * lam),
            "t1_upper_pre_taylor": mpmath.log(eps / (6 * lbar * init)) / (2 * mpmath.log(rho)),
            "t2_lower_pre_taylor": mpmath.log(mpmath.sqrt(2 / ((m - n) * nu2)) * (
                mpmath.sqrt(c / sig) + tn)) / mpmath.log(1 - eta * lam),
            "t1_upper_eq8": n * mpmath.log(14 * m * nu2 / eps) / (2 * eta * lmin),
            "t2_lower_eq8": mpmath.log((m - n) * nu2 / (8 * m * eps)) / (mpf("2.02") * eta * lam),
            "t1_upper_eq8_marchenko_pastur": n * mpmath.log(14 * m * nu2 / eps) / (
                2 * eta * (1 - mpmath.sqrt(mpf(n) / m)) ** 2),
        }


@pytest.mark.parametrize("n,m,lam", [(20, 200, 1e-12), (50, 100_000, 1e-4),
                                     (99_999, 100_000, 1e-12)])
def test_ridge_bounds_against_mpmath(n, m, lam):
    if n == 99_999:
        # n close to m: the Marchenko-Pastur edge (1 - sqrt(n/m))^2 cancels in float64;
        # only the formula layer is evaluated (a 99999 x 100000 design is not built)
        got = RB.eq8_t1_upper(n, m, 1.0, 0.01, 1.0)
        with mpmath.workdps(DPS):
            ref = n * mpmath.log(14 * m / mpmath.mpf("0.01")) / (
                2 * (1 - mpmath.sqrt(mpmath.mpf(n) / m)) ** 2)
        assert _rel(got, ref, "ridge bounds") < 1e-13
        return
    prob = _diagonal_problem(n, m, seed=n + m)
    eta, eps, c = 0.5, 0.01, 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = bounds_report(prob, lam=lam, eta=eta, eps=eps, c=c, warn=False)
    ref = _mp_bounds(prob, lam, eta, eps, c)
    for name, value in ref.items():
        got = getattr(rep, name).value
        # log-space arguments: a few ulps of each log, divided by eta lam (exact scaling)
        assert _rel(got, value, "ridge bounds") < 1e-12, (name, got, value)


# ---------------------------------------------------------------------------
# adaptive kernel: Model A near u_c and at the spinodal, Model B near coexistence
# ---------------------------------------------------------------------------

def mp_model_a_critical(cfg, kind="transition"):
    """Critical point (or spinodal) of a Model A config from the spec's closed forms, in mpmath.

    Along a noise sweep ``u = U/sigma2^2`` and ``kappa = K/sigma2``.  The line gives
    ``A(b)`` (critical: ``A = 27|eps|/(4 (b + |eps|)^3)``, i.e. the spec's
    ``u_c = 27 pi |eps| (1 + 2 sigma_w2) / (16 sigma_w2 (b + |eps|)^3)``; spinodal:
    ``A = 1/max_r k(r)`` with ``k = (1-2r)^2 (b-2cr)(b-6cr)``, maximised at a root of
    ``24 c^2 r^2 - (12 b c + 6 c^2) r + b^2 + 2 b c``), hence ``u(b)`` and ``sigma2(b)``;
    ``b`` solves the GFL cubic ``A b^3 - A b^2 - (1 + kappa) b + 1 = 0`` there.
    Returns a dict of mpf (``u``, ``sigma2``, ``b``, ``q_star``).
    """
    with mpmath.workdps(DPS):
        mpf = mpmath.mpf
        n, d, N, sw2, sa2, eps = (mpf(x) for x in (cfg.n, cfg.d, cfg.N, cfg.sigma_w2,
                                                  cfg.sigma_a2, cfg.eps))
        c, e, d0 = eps, abs(eps), 1 + 2 * sw2
        big_u = n * n * sa2 / (d * N)
        big_k = 4 / mpmath.pi * n * sa2 * sw2 / (d * d0)

        def line(b):
            if kind == "transition":
                r = (b + 2 * c) / (6 * c)
                return 1 / ((1 - 2 * r) * (b - 2 * c * r) ** 2), r
            disc = 12 * c * c * (4 * b * b - 4 * b * c + 3 * c * c)
            best = None
            for sign in (1, -1):
                r = (12 * b * c + 6 * c * c + sign * mpmath.sqrt(disc)) / (48 * c * c)
                if 0 < r < mpf(1) / 2:
                    k = (1 - 2 * r) ** 2 * (b - 2 * c * r) * (b - 6 * c * r)
                    if best is None or k > best[0]:
                        best = (k, r)
            return 1 / best[0], best[1]

        def sigma2_of(b):
            a_coef = line(b)[0]
            u = a_coef * mpmath.pi * d0 / (4 * sw2)
            return mpmath.sqrt(big_u / u), a_coef

        def cubic(b):
            if kind == "spinodal" and line_or_none(b) is None:
                return None
            s2, a_coef = sigma2_of(b)
            return a_coef * b ** 3 - a_coef * b ** 2 - (1 + big_k / s2) * b + 1

        def line_or_none(b):
            try:
                return line(b)
            except TypeError:                       # no interior maximiser at this b
                return None

        # bracket on a grid of b in (0, min(1, 2|eps|)), then a bracketing solver
        hi = min(mpf(1), 2 * e)
        grid = [hi * k / 400 for k in range(1, 400)]
        vals = [cubic(b) for b in grid]
        roots = [(grid[k], grid[k + 1]) for k in range(len(grid) - 1)
                 if vals[k] is not None and vals[k + 1] is not None
                 and vals[k] * vals[k + 1] < 0]
        assert roots, "no intersection with the GFL branch"
        b = mpmath.findroot(cubic, roots[0], solver="anderson")
        s2, a_coef = sigma2_of(b)
        r = line(b)[1]
        return {"u": big_u / s2 ** 2, "sigma2": s2, "b": b,
                "q_star": mpmath.sqrt(r * d0 / (1 - 2 * r))}


KERNEL_CONFIGS = [A.BASE_MODEL_A, A.ModelAConfig(eps=-0.5, sigma_w2=1.0),
                  A.ModelAConfig(eps=-0.15, sigma_w2=0.25, n=2000)]


@pytest.mark.parametrize("cfg", KERNEL_CONFIGS)
def test_model_a_critical_point_and_spinodal_against_mpmath(cfg):
    cp = A.critical_point(cfg)
    crit, spin = mp_model_a_critical(cfg), mp_model_a_critical(cfg, "spinodal")
    for got, key in ((cp.u_c, "u"), (cp.sigma2_c, "sigma2"), (cp.b_c, "b"),
                     (cp.q_star, "q_star")):
        # brentq to rtol 1e-14 on a log ratio, closed forms to a few ulps
        assert _rel(got, crit[key], "kernel critical point") < 1e-12, key
    for got, key in ((cp.u_spinodal, "u"), (cp.sigma2_spinodal, "sigma2"),
                     (cp.b_spinodal, "b"), (cp.q_spinodal, "q_star")):
        assert _rel(got, spin[key], "kernel spinodal") < 1e-10, key


@pytest.mark.parametrize("rel_step", [1e-12, 1e-8, -1e-8, -1e-12])
def test_model_a_gfl_root_and_action_next_to_u_c(rel_step):
    # the GFL cubic root b at sigma2_c (1 + rel_step), mpmath to 50 digits; and S~(q*) at
    # the critical point, which is 0 there and O(rel_step) next to it
    cfg = A.BASE_MODEL_A
    ref = mp_model_a_critical(cfg)
    s2 = float(ref["sigma2"]) * (1 + rel_step)
    g = A.gfl_solution(cfg, s2)
    with mpmath.workdps(DPS):
        mpf = mpmath.mpf
        s2m = mpf(s2)
        u = mpf(cfg.n) ** 2 * mpf(cfg.sigma_a2) / (s2m ** 2 * cfg.d * cfg.N)
        d0 = 1 + 2 * mpf(cfg.sigma_w2)
        a_coef = 4 * mpf(cfg.sigma_w2) * u / (mpmath.pi * d0)
        kap = 4 / mpmath.pi * cfg.n * mpf(cfg.sigma_a2) * cfg.sigma_w2 / (s2m * cfg.d * d0)
        b = mpmath.findroot(lambda x: a_coef * x ** 3 - a_coef * x ** 2 - (1 + kap) * x + 1,
                            mpf(g.b))
        q = mpf(float(ref["q_star"]))
        dd = d0 + 2 * q * q
        s_q = q * q / (2 * cfg.sigma_w2) - 2 * u / mpmath.pi * q * q / dd * (
            b - 2 * mpf(cfg.eps) * q * q / dd) ** 2
    assert _rel(g.b, b, "kernel GFL root near u_c") < 1e-14
    got = float(A.reduced_action(float(ref["q_star"]), g.u, g.b, g.c, cfg.sigma_w2))
    # S~(q*) is a difference of O(0.5) terms that cancel to O(rel_step): the error is
    # absolute, a few ulps of the terms
    err = abs(got - float(s_q))
    WORST["kernel S~(q*) near u_c (absolute)"] = max(
        WORST.get("kernel S~(q*) near u_c (absolute)", 0.0), err)
    assert err < 2e-15


@pytest.mark.parametrize("delta", [0.0, 1e-6, -1e-6, 1e-3])
def test_model_b_weight_near_coexistence_against_mpmath(delta):
    # w = 4 e^-S/(1 + 4 e^-S), S = P S~(x_+) with S~ from its definition (cubic included)
    gamma, P = 1e-4, 401
    g = 2 * math.sqrt(gamma / 3) * (1 + delta)
    with mpmath.workdps(DPS):
        gm, gg = mpmath.mpf(gamma), mpmath.mpf(g)
        xp = (gg + mpmath.sqrt(gg * gg - gm)) / gm
        s = P * (xp - gg * xp ** 2 + gm / 3 * xp ** 3)
        w = 4 * mpmath.exp(-s) / (1 + 4 * mpmath.exp(-s))
        mean = xp ** 2 * w
    assert _rel(B.specialised_fraction(g, gamma, P), w, "kernel Model B weight") < 1e-9
    assert _rel(B.phi_psi_mean(g, gamma, P), mean, "kernel Model B weight") < 1e-9


# ---------------------------------------------------------------------------
# effective theory: spectra of 2 A^T A / Z0 up to p = 100
# ---------------------------------------------------------------------------

def _rank_mod(mat: np.ndarray, prime: int) -> int:
    """Rank of an integer matrix modulo a prime (exact integer elimination)."""
    a = np.mod(mat.astype(np.int64), prime)
    rank, rows, cols = 0, a.shape[0], a.shape[1]
    for col in range(cols):
        piv = np.flatnonzero(a[rank:, col])
        if piv.size == 0:
            continue
        r = rank + piv[0]
        a[[rank, r]] = a[[r, rank]]
        inv = pow(int(a[rank, col]), prime - 2, prime)
        a[rank] = (a[rank] * inv) % prime
        others = np.flatnonzero(a[:, col])
        others = others[others != rank]
        a[others] = (a[others] - np.outer(a[others, col], a[rank])) % prime
        rank += 1
        if rank == rows:
            break
    return rank


def _gram(rows: np.ndarray) -> np.ndarray:
    """``A^T A`` exactly: float64 BLAS on small integers (sums < 2^53), back to int64."""
    f = rows.astype(np.float64)
    assert rows.shape[0] * 4 < 2 ** 53
    return np.rint(f.T @ f).astype(np.int64)


def _exact_nullity(split) -> int:
    rows = constraint_matrix(split).astype(np.int64)
    if rows.size == 0:
        return split.task.p
    # rank(A) = rank(A^T A) over Q; the rank mod a prime can only be smaller (when the
    # prime divides every non-zero maximal minor): the larger of two large primes is exact
    gram = _gram(rows)
    rank = max(_rank_mod(gram, 2_147_483_647), _rank_mod(gram, 2_147_483_629))
    return split.task.p - rank


def _mp_hessian(split, dps):
    gram = _gram(constraint_matrix(split).astype(np.int64))
    with mpmath.workdps(dps):
        ev = mpmath.eigsy(mpmath.matrix(gram.tolist()), eigvals_only=True)
        z0 = split.task.p - 1
        return sorted(2 * x / z0 for x in ev)


def _check_spectrum(split, dps):
    got = hessian_eigenvalues(split)
    ref = _mp_hessian(split, dps)
    n0 = _exact_nullity(split)
    assert nullity(split) == n0
    assert np.all(got[:n0] == 0.0)
    top = max(abs(x) for x in ref)
    for k in range(n0):                             # true zeros: mpmath gives ~10^-dps
        assert abs(ref[k]) < mpmath.mpf(10) ** (10 - dps) * top
    for k in range(n0, len(ref)):
        # eigvalsh is backward stable: absolute error <~ p eps ||H|| (relative errors
        # are recorded)
        _rel(got[k], ref[k], "effective spectrum")
        assert abs(got[k] - ref[k]) <= 64 * len(ref) * np.finfo(float).eps * top, k


@pytest.mark.parametrize("p,size,seed,dps", [(30, 120, 0, DPS), (30, 465, 0, DPS),
                                             (60, 500, 1, 30)])
def test_effective_spectrum_against_mpmath(p, size, seed, dps):
    _check_spectrum(random_split(ArithmeticTask(p), size, seed), dps)


@pytest.mark.parametrize("size", [400, 700, 1000, 5050])
def test_effective_nullity_p100_exact(size):
    # near the forcing threshold the smallest non-zero eigenvalue is smallest: the float
    # rank cut (1e-9 of the largest eigenvalue) must agree with exact elimination
    for seed in range(3 if size < 5050 else 1):
        split = random_split(ArithmeticTask(100), size, seed)
        assert nullity(split) == _exact_nullity(split)


@pytest.mark.slow
def test_effective_spectrum_p100_against_mpmath():
    # mpmath.eigsy on a 100 x 100 matrix takes ~15 s at 30 digits
    for size in (1000, 5050):
        _check_spectrum(random_split(ArithmeticTask(100), size, 0), 30)


if __name__ == "__main__":                          # print the worst relative errors
    import sys

    code = pytest.main([__file__, "-q", "-p", "no:cacheprovider", "-m", "slow or not slow",
                        "-o", "addopts="])
    for key, value in sorted(sys.modules["test_extremes"].WORST.items()):
        print(f"{key:45s} {value:.3g}")
    sys.exit(code)
