"""Property tests of ``theory.effective`` (see ``test_properties_registry.py``)."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties_registry import (
    bad_choice,
    bad_count,
    bad_nonnegative,
    bad_positive,
    covers,
    make_invalid_test,
    make_valid_test,
    rejects,
)

from theory.effective import critical as CR
from theory.effective import flow as FL
from theory.effective import phases as PH
from theory.effective import representation as R
from theory.effective import structure as S
from theory.effective import symbolic as Y
from theory.effective import task as T

bad_split = st.sampled_from([None, 3, "split"])


@st.composite
def tasks(draw, p_max=9):
    return T.ArithmeticTask(draw(st.integers(2, p_max)), modular=draw(st.booleans()))


@st.composite
def splits(draw, p_max=9):
    task = draw(tasks(p_max))
    size = draw(st.integers(1, task.n_samples))
    return T.random_split(task, size, draw(st.integers(0, 2 ** 20)))


# --------------------------------------------------------------------------- task
task_args = st.fixed_dictionaries({"p": st.integers(2, 30), "modular": st.booleans()})
test_valid_task = make_valid_test(
    T.ArithmeticTask, task_args,
    lambda t, p, modular: t.n_samples == p * (p + 1) // 2 and t.constraint_rows.shape[1] == p)
test_invalid_task = make_invalid_test(T.ArithmeticTask, task_args, {
    "p": bad_count, "modular": st.sampled_from([None, "yes", 1.5])})


@st.composite
def split_args(draw):
    task = draw(tasks())
    return {"task": task, "train_size": draw(st.integers(1, task.n_samples)),
            "seed": draw(st.integers(0, 2 ** 31))}


def _split_check(split, task, train_size, seed):
    assert split.train_size == train_size and split.test.size == task.n_samples - train_size
    assert T.random_split(task, train_size, seed).train.tolist() == split.train.tolist()


test_valid_random_split = make_valid_test(T.random_split, split_args(), _split_check)
test_invalid_random_split = make_invalid_test(T.random_split, split_args(), {
    "task": st.sampled_from([None, 10]), "train_size": bad_count,
    "seed": st.sampled_from([-1, 2.5, "0", None])})


@st.composite
def pair_args(draw):
    task = draw(tasks())
    idx = draw(st.lists(st.integers(0, task.n_samples - 1), min_size=1, unique=True))
    pairs = task.pairs[idx]
    swap = draw(st.booleans())
    return {"task": task, "pairs": (pairs[:, ::-1] if swap else pairs).tolist()}


test_valid_split_from_pairs = make_valid_test(
    T.split_from_pairs, pair_args(),
    lambda s, task, pairs: s.train_size == len(pairs))
test_invalid_split_from_pairs = make_invalid_test(T.split_from_pairs, pair_args(), {
    "task": st.sampled_from([None, 4]),
    "pairs": st.sampled_from([[], [(0.5, 1.0)], [(0, 99)], [(1,)], "ab", [(1, 2), (2, 1)]])})


@st.composite
def training_split_args(draw):
    task = draw(tasks())
    idx = sorted(draw(st.lists(st.integers(0, task.n_samples - 1), unique=True)))
    return {"task": task, "train": np.array(idx, dtype=np.int64)}


test_valid_training_split = make_valid_test(T.TrainingSplit, training_split_args())
test_invalid_training_split = make_invalid_test(T.TrainingSplit, training_split_args(), {
    "task": st.sampled_from([None, 5]),
    "train": st.sampled_from([np.array([5, 2]), np.array([-1]), np.array([10 ** 6]),
                              np.array([0.5]), np.array([[0, 1]])])})


# --------------------------------------------------------------------------- structure
def _one_split_function(func, check=None, extra=None, bad_extra=None, max_examples=25,
                        allow=()):
    valid = splits().map(lambda s: {"split": s})
    if extra is not None:
        valid = st.tuples(splits(), extra).map(lambda a: {"split": a[0], **a[1]})
    return (make_valid_test(func, valid, check, max_examples=max_examples, allow=allow),
            make_invalid_test(func, valid, {"split": bad_split, **(bad_extra or {})}))


def _nullity_check(n0, split):
    # second method: the rank of the constraint matrix by SVD
    rows = S.constraint_matrix(split)
    rank = np.linalg.matrix_rank(rows) if rows.size else 0
    assert n0 == split.task.p - rank and n0 >= S.full_nullity(split.task)


test_valid_nullity, test_invalid_nullity = _one_split_function(S.nullity, _nullity_check)
test_valid_constraint, test_invalid_constraint = _one_split_function(
    S.constraint_matrix, lambda rows, split: rows.shape == (
        int(split.parallelogram_mask.sum()), split.task.p))
test_valid_implied, test_invalid_implied = _one_split_function(
    S.implied_parallelograms, lambda mask, split: np.all(mask >= split.parallelogram_mask))
test_valid_hessian, test_invalid_hessian = _one_split_function(
    S.hessian_eigenvalues, lambda ev, split, **kw: np.all(ev >= 0),
    extra=st.fixed_dictionaries({"d_in": st.integers(1, 4),
                                 "normalisation": st.sampled_from(["z0", "paper"])}),
    bad_extra={"d_in": bad_count, "normalisation": bad_choice})
test_valid_analyze, test_invalid_analyze = _one_split_function(
    S.analyze_split, lambda a, split, **kw: a.forced == (a.lambda3 > 0) == np.isfinite(a.n_h),
    extra=st.fixed_dictionaries({"eta": st.floats(1e-4, 1.0), "d_in": st.integers(1, 3)}),
    bad_extra={"eta": bad_positive, "d_in": bad_count}, max_examples=20,
    allow=("result.n_h",))          # documented: inf when lambda3 = 0 (never converges)


@st.composite
def augmented_args(draw):
    split = draw(splits())
    mask = np.array(draw(st.lists(st.booleans(), min_size=split.task.n_parallelograms,
                                  max_size=split.task.n_parallelograms)), dtype=bool)
    return {"split": split, "parallelogram_mask": mask}


test_valid_augmented = make_valid_test(
    S.augmented_set, augmented_args(),
    lambda m, split, parallelogram_mask: np.all(m >= split.mask))
test_invalid_augmented = make_invalid_test(S.augmented_set, augmented_args(), {
    "split": bad_split,
    "parallelogram_mask": st.sampled_from([np.ones(10 ** 5, bool), [1, 0], None])})

test_valid_full_nullity = make_valid_test(
    S.full_nullity, tasks(12).map(lambda t: {"task": t}),
    lambda n0, task: n0 == (1 if task.modular else 2))
test_invalid_full_nullity = make_invalid_test(
    S.full_nullity, tasks().map(lambda t: {"task": t}), {"task": bad_split})
test_valid_gram = make_valid_test(
    S.gram_eigenvalues, splits().map(lambda s: {"rows": S.constraint_matrix(s)
                                                if S.constraint_matrix(s).size
                                                else np.zeros((1, s.task.p))}),
    lambda ev, rows: np.all(ev >= 0))
test_invalid_gram = make_invalid_test(
    S.gram_eigenvalues, st.just({"rows": np.eye(3)}),
    {"rows": st.sampled_from([np.full((2, 2), np.nan), np.ones(3), "r", np.ones((2, 0))])})


# --------------------------------------------------------------------------- representation
@st.composite
def embedding_args(draw, with_split=False):
    split = draw(splits())
    p = split.task.p
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 20)))
    d = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["random", "linear", "collapsed"]))
    e = {"random": rng.normal(size=(p, d)),
         "linear": np.arange(p)[:, None] * rng.normal(size=d) + rng.normal(size=d),
         "collapsed": np.ones((p, d))}[kind]
    out = {"embedding": e, "convention": draw(st.sampled_from(["code", "literal"]))}
    return out | ({"split": split} if with_split else {"task": split.task})


BAD_EMB = st.sampled_from([np.full((3, 1), np.nan), "e", np.ones((1, 1, 1, 1)) * np.inf])
test_valid_rqi = make_valid_test(R.rqi, embedding_args(),
                                 lambda r, **kw: 0.0 <= r <= 1.0)
test_invalid_rqi = make_invalid_test(R.rqi, embedding_args(), {
    "embedding": BAD_EMB, "task": bad_split, "convention": bad_choice,
    "delta": bad_positive.filter(lambda v: v is not None)})   # None: the default 0.01
test_valid_repr_par = make_valid_test(R.representation_parallelograms, embedding_args())
test_invalid_repr_par = make_invalid_test(R.representation_parallelograms, embedding_args(), {
    "embedding": BAD_EMB, "task": bad_split, "convention": bad_choice})
test_valid_pred_acc = make_valid_test(
    R.predicted_accuracy, embedding_args(True), lambda a, **kw: 0 <= a[0] <= 1)
test_invalid_pred_acc = make_invalid_test(R.predicted_accuracy, embedding_args(True), {
    "embedding": BAD_EMB, "split": bad_split, "convention": bad_choice})


def _defects_check(d, embedding, task, convention):
    # documented: NaN marks the defects of a collapsed (unnormalisable) dimension in the
    # "code" convention; any other defect is finite and >= 0
    finite = d[np.isfinite(d)]
    assert np.all(finite >= 0)
    if convention == "literal" or np.all(np.std(embedding, axis=0) > 0):
        assert np.all(np.isfinite(d))


test_valid_defects = make_valid_test(R.parallelogram_defects, embedding_args(),
                                     _defects_check, allow=("result",))
test_invalid_defects = make_invalid_test(R.parallelogram_defects, embedding_args(), {
    "embedding": BAD_EMB, "task": bad_split, "convention": bad_choice})


@settings(max_examples=30)
@covers(R.normalize_representation)
@given(args=embedding_args())
def test_normalize_representation(args):
    e = args["embedding"]
    out = R.normalize_representation(e)
    spread = np.std(e, axis=0) > 0
    # documented: NaN exactly in the dimensions with zero spread (reference-code semantics)
    assert np.all(np.isnan(out[:, ~spread])) and np.all(np.isfinite(out[:, spread]))
    assert np.allclose(out[:, spread].mean(axis=0), 0, atol=1e-12)
    for bad in (np.full((3, 1), np.inf), np.ones((1, 2)), "x"):
        rejects(lambda bad=bad: R.normalize_representation(bad), "embedding")


# --------------------------------------------------------------------------- flow
@st.composite
def flow_args(draw, with_t=False):
    split = draw(splits())
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 20)))
    out = {"split_or_rows": split if draw(st.booleans()) else S.constraint_matrix(split),
           "embedding": rng.normal(size=(split.task.p, draw(st.integers(1, 2)))),
           "normalisation": draw(st.sampled_from(["z0", "paper"]))}
    if with_t:
        out["t"] = draw(st.lists(st.floats(0.0, 1e6), min_size=1, max_size=4))
    return out


FLOW_BAD = {"embedding": st.sampled_from([np.zeros((2, 1)) + np.nan, "e", np.zeros((99, 1))]),
            "normalisation": bad_choice,
            "split_or_rows": st.sampled_from([np.full((2, 3), np.inf), "rows"])}
test_valid_loss = make_valid_test(FL.effective_loss, flow_args(), lambda v, **kw: v >= 0)
test_invalid_loss = make_invalid_test(FL.effective_loss, flow_args(), FLOW_BAD)
test_valid_gradient = make_valid_test(FL.effective_gradient, flow_args())
test_invalid_gradient = make_invalid_test(FL.effective_gradient, flow_args(), FLOW_BAD)


def _flow_check(flow, embedding, **kw):
    # Z0 is conserved exactly by the closed form (to rounding)
    assert np.allclose((flow.embedding ** 2).sum(axis=(1, 2)), flow.z0, rtol=1e-10)


test_valid_flow = make_valid_test(FL.effective_flow, flow_args(True), _flow_check)
test_invalid_flow = make_invalid_test(FL.effective_flow, flow_args(True), FLOW_BAD | {
    "t": st.sampled_from([[-1.0], [np.inf], [[1.0]], "t"])})


@st.composite
def euler_args(draw):
    a = draw(flow_args())
    return a | {"eta": draw(st.floats(0.0, 1e-2)), "steps": draw(st.integers(1, 20))}


test_valid_euler = make_valid_test(FL.euler_flow, euler_args())
test_invalid_euler = make_invalid_test(FL.euler_flow, euler_args(), {
    "eta": bad_nonnegative, "steps": bad_count,
    "embedding": st.sampled_from([np.zeros((2, 1)) + np.nan, "e"])})


# --------------------------------------------------------------------------- critical
@st.composite
def curve_args(draw):
    task = draw(tasks(6))
    sizes = draw(st.lists(st.integers(1, task.n_samples), min_size=1, max_size=3))
    return {"task": task, "train_sizes": sizes, "trials": draw(st.integers(1, 50)),
            "seed": draw(st.integers(0, 100)), "exact_limit": draw(st.integers(1, 200)),
            "d_in": draw(st.integers(1, 3))}


def _curve_check(curve, **kw):
    assert np.all((0 <= curve.p_forced) & (curve.p_forced <= 1))


test_valid_curve = make_valid_test(
    CR.critical_curve, curve_args(), _curve_check, max_examples=15,
    allow=("result.lambda3_median", "result.lambda3_q25", "result.lambda3_q75",
           "result.r_half"))          # documented: NaN where no set forces / no crossing
test_invalid_curve = make_invalid_test(CR.critical_curve, curve_args(), {
    "task": bad_split, "train_sizes": st.sampled_from([[0], [10 ** 4], ["a"]]),
    "trials": bad_count, "seed": st.sampled_from([-1, 1.5, None]), "exact_limit": bad_count,
    "d_in": bad_count})


@st.composite
def forcing_args(draw):
    task = draw(tasks(7))
    masks = np.array(draw(st.lists(st.lists(st.booleans(), min_size=task.n_samples,
                                            max_size=task.n_samples), min_size=1,
                                   max_size=4)), dtype=bool)
    return {"task": task, "masks": masks, "d_in": draw(st.integers(1, 3))}


test_valid_forcing = make_valid_test(CR.forcing_statistics, forcing_args())
test_invalid_forcing = make_invalid_test(CR.forcing_statistics, forcing_args(), {
    "masks": st.sampled_from([np.ones((2, 1), bool), np.ones(3), [[1, 0]]]),
    "d_in": bad_count})


# --------------------------------------------------------------------------- phases
phase_def_args = st.fixed_dictionaries({"budget": st.integers(1, 10 ** 6),
                                        "acc_threshold": st.floats(1e-3, 1.0),
                                        "lag": st.integers(0, 10 ** 4)})
test_valid_phase_def = make_valid_test(PH.PhaseDefinition, phase_def_args)
test_invalid_phase_def = make_invalid_test(PH.PhaseDefinition, phase_def_args, {
    "budget": bad_count, "acc_threshold": st.sampled_from([0.0, 1.5, np.nan, None]),
    "lag": st.sampled_from([-1, 2.5, None, "3"])})

classify_args = st.fixed_dictionaries({
    "iter_train": st.one_of(st.none(), st.integers(0, 10 ** 6)),
    "iter_val": st.one_of(st.none(), st.integers(0, 10 ** 6)),
    "definition": phase_def_args.map(lambda kw: PH.PhaseDefinition(**kw)),
    "diverged": st.booleans()})
test_valid_classify = make_valid_test(
    PH.classify_phase, classify_args,
    lambda r, **kw: r["phase"] in PH.PHASES + ("diverged",))
test_invalid_classify = make_invalid_test(PH.classify_phase, classify_args.map(
    lambda kw: kw | {"diverged": False}), {
    "iter_train": st.sampled_from([-1, 2.5, "3", np.inf]),
    "definition": st.sampled_from([None, {"budget": 3}]),
    "diverged": st.sampled_from([None, "no"])}, call=lambda **kw: PH.classify_phase(**kw))


# --------------------------------------------------------------------------- symbolic
@settings(max_examples=10)
@covers(Y.constraint_matrix_symbolic, Y.hessian, Y.ground_states, Y.to_latex)
@given(split=splits(6))
def test_symbolic_structure_matches_numeric(split):
    # second method: the exact rational Hessian's eigenvalues against the float ones
    H = Y.hessian(split, split.task.p - 1)
    # (cubic roots of a symmetric matrix come out in casus irreducibilis, with an I that
    # cancels: evaluate at 50 digits and keep the real part)
    values = [complex(sp.N(v, 50)) for v, k in H.eigenvals().items() for _ in range(k)]
    assert all(abs(v.imag) < 1e-30 * max(1.0, abs(v)) for v in values)
    ev = sorted(v.real for v in values)
    assert np.allclose(ev, S.hessian_eigenvalues(split), atol=1e-9)
    assert len(Y.ground_states(split)) == S.nullity(split)
    assert Y.constraint_matrix_symbolic(split).shape[1] == split.task.p
    assert Y.to_latex(H)


@covers(Y.numeric)
def test_symbolic_numeric():
    f = Y.numeric(sp.exp(-Y.t) * Y.Z0)
    assert f.args == ("Z_0", "t") and float(f(t=1.0, Z_0=2.0)) == pytest.approx(2 / np.e)


@covers(Y.linearised_dynamics)
def test_symbolic_linearised_dynamics_solves_the_linear_flow():
    # (sympy's matrix exponential grows fast with p: one p = 3 case, ~2 s)
    split = T.random_split(T.ArithmeticTask(3), 4, 0)
    r = Y.linearised_dynamics(split, 2)
    H = Y.hessian(split, 2)
    t = Y.t
    free = [s for s in r.free_symbols if s != t]
    assert len(free) == 3 and sp.simplify(r.diff(t) + H * r) == sp.zeros(3, 1)


@settings(max_examples=4)
@covers(Y.effective_dynamics)
@given(split=splits(4), seed=st.integers(0, 100))
def test_symbolic_effective_dynamics_conserves_z0(split, seed):
    e0 = np.random.default_rng(seed).integers(-2, 3, split.task.p)
    if not np.any(e0):
        e0[0] = 1
    e = Y.effective_dynamics(split, e0.tolist())
    assert sp.simplify(sum(c ** 2 for c in e) - int((e0 ** 2).sum())) == 0
    with pytest.raises(ValueError, match="e0"):
        Y.effective_dynamics(split, [0] * split.task.p)
