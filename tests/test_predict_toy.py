"""``grokking predict toy``: the critical curve, n_h, the theory's verdicts and the simulation.

References are independent: ``grokking effective critical`` / ``effective train``
through the same ``main``, brute-force enumeration of splits, and every
continuation of a censored run classified by :func:`theory.effective.classify_phase`.
"""

import itertools
import json

import numpy as np
import pytest

from grokking_cli import main
from theory.effective import (
    ArithmeticTask,
    PhaseDefinition,
    TrainingSplit,
    analyze_split,
    classify_phase,
    split_from_pairs,
)
from validation.predict import read_split
from validation.predict.toy import (
    _coverage_probability,
    label_coverage,
    max_label_coverage,
    phase_candidates,
)

# small, fast simulations: p = 5 (15 samples), a narrow decoder
FAST = ("--p", "5", "--train-size", "13", "--width", "32", "--steps", "600", "--seeds", "0-1",
        "--quiet")


def cli(capsys, *args, expect=0):
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == expect, captured.err
    return json.loads(captured.out) if expect == 0 else captured.err


# ---------------------------------------------------------------------------- theory numbers
@pytest.mark.parametrize("flags", [("--train-size", "20"),                  # Monte Carlo
                                   ("--p", "4", "--train-size", "6"),       # exact
                                   ("--p", "7", "--modular", "--train-size", "15")])
def test_p_generalizable_equals_the_critical_curve(capsys, flags):
    size = flags[flags.index("--train-size") + 1]
    task_flags = [f for f in flags if f not in ("--train-size", size)]
    crit = cli(capsys, "effective", "critical", *task_flags, "--train-sizes", size)
    pred = cli(capsys, "predict", "toy", *flags, "--simulate", "never")
    assert pred["p_generalizable"]["value"] == crit["p_forced"][0]
    assert pred["p_generalizable"]["stderr"] == crit["stderr"][0]
    assert pred["p_generalizable"]["exact"] == crit["exact"][0]
    nh = pred["predicted_representation_steps"]
    if crit["lambda3_median"][0] is None:
        assert nh["median"] is None and "reason" in nh
    else:
        eta = 1e-3
        assert nh["median"] == pytest.approx(1 / (eta * crit["lambda3_median"][0]), rel=1e-12)
        assert nh["q25"] == pytest.approx(1 / (eta * crit["lambda3_q75"][0]), rel=1e-12)
        assert nh["q75"] == pytest.approx(1 / (eta * crit["lambda3_q25"][0]), rel=1e-12)
    assert nh["fraction_lambda3_zero"] == pytest.approx(1 - crit["p_forced"][0], abs=1e-15)


def _brute_coverages(task, k):
    """Test-label coverage of every split of size k, by enumeration."""
    return [label_coverage(TrainingSplit(task, np.array(c)))
            for c in itertools.combinations(range(task.n_samples), k)]


@pytest.mark.parametrize("p,modular", [(4, False), (5, True)])
def test_max_label_coverage_is_the_brute_force_maximum(p, modular):
    task = ArithmeticTask(p, modular=modular)
    for k in range(1, task.n_samples):
        assert max_label_coverage(task, k) == pytest.approx(
            max(_brute_coverages(task, k)), abs=1e-15)


def test_label_coverage_counts_by_hand():
    # p = 4: training labels 0, 1, 2, 2; the six test samples have labels 3, 3, 4, 4, 5, 6
    split = split_from_pairs(ArithmeticTask(4), [(0, 0), (0, 1), (1, 1), (0, 2)])
    assert label_coverage(split) == 0.0
    split = split_from_pairs(ArithmeticTask(4), [(0, 0), (0, 3), (1, 3), (2, 3)])
    # labels 0, 3, 4, 5: test (0,1)=1 (0,2)=2 (1,1)=2 (1,2)=3 (2,2)=4 (3,3)=6 -> 2 of 6
    assert label_coverage(split) == pytest.approx(2 / 6)


def test_coverage_probability_exact_and_monte_carlo():
    task = ArithmeticTask(4)
    for k in (3, 5, 7):
        brute = np.mean(np.array(_brute_coverages(task, k)) >= 0.5)
        exact = _coverage_probability(task, k, 0.5, trials=10, seed=0, exact_limit=10 ** 6)
        assert exact["exact"] and exact["value"] == pytest.approx(brute, abs=1e-15)
        mc = _coverage_probability(task, k, 0.5, trials=20000, seed=3, exact_limit=1)
        assert not mc["exact"]
        assert abs(mc["value"] - brute) < 4 * max(mc["stderr"], 1e-3)     # 4 sigma


# ---------------------------------------------------------------------------- phase logic
def test_phase_candidates_are_every_possible_continuation():
    """Brute force: every (iter_train, iter_test) continuation after `steps`, classified."""
    d = PhaseDefinition(budget=30, lag=5)
    future = [*range(0, 30), None]
    for steps in (3, 10, 22, 28, 29, 40):
        seen = [*range(0, min(steps, 29) + 1)]
        for a, b in itertools.product([*seen, None], repeat=2):
            a_opts = [a] if a is not None else [t for t in future if t is None or t > steps]
            b_opts = [b] if b is not None else [t for t in future if t is None or t > steps]
            possible = {classify_phase(x, y, d)["phase"] for x in a_opts for y in b_opts}
            assert set(phase_candidates(a, b, steps, d)) == possible, (steps, a, b)


def test_the_theory_decides_low_coverage_splits_without_simulating(tmp_path, capsys):
    path = tmp_path / "split.csv"
    path.write_text("a,b\n0,0\n0,1\n1,1\n0,2\n")                # test-label coverage 0
    out = cli(capsys, "predict", "toy", "--p", "4", "--split", str(path))
    seed0 = out["phase"]["per_seed"][0]
    assert seed0["split"]["test_label_coverage"] == 0.0
    assert seed0["method"] == "theory (proof)" and seed0["simulation"] is None
    assert out["phase"]["simulation"] is None
    assert out["groks"] is False and out["phase"]["phase"] is None
    assert out["phase"]["candidates"] == ["memorization", "confusion"]
    assert out["summary"].startswith("does not grok")


def test_a_given_split_uses_that_splits_theory(tmp_path, capsys):
    # the spec's forcing split for p = 4, and its own analysis through the library
    pairs = [(0, 2), (1, 1), (0, 3), (1, 2), (1, 3), (2, 2)]
    path = tmp_path / "split.json"
    path.write_text(json.dumps({"train_pairs": [list(q) for q in pairs]}))
    out = cli(capsys, "predict", "toy", "--p", "4", "--split", str(path), "--simulate",
              "never", "--repr-lr", "0.01")
    ref = analyze_split(split_from_pairs(ArithmeticTask(4), pairs), eta=0.01)
    assert ref.forced
    assert out["p_generalizable"]["value"] == 1.0
    assert out["predicted_representation_steps"]["median"] == pytest.approx(ref.n_h, rel=1e-12)
    th = out["phase"]["per_seed"][0]["split"]
    assert th["n0"] == ref.n0 and th["acc_bar_test"] == ref.acc_bar_test
    assert out["config"]["parameters"]["split"] == str(path)


def test_undecided_without_simulation_is_null_with_reason(capsys):
    out = cli(capsys, "predict", "toy", "--train-size", "50", "--seeds", "0-2",
              "--simulate", "never")
    assert out["phase"]["phase"] is None and out["groks"] is None
    undecided = [r for r in out["phase"]["per_seed"] if r["method"] == "none"]
    assert undecided and all("simulate='never'" in r["reason"] for r in undecided)
    assert out["summary"].startswith("undecided")


# ---------------------------------------------------------------------------- simulation
def test_simulation_matches_effective_train(capsys):
    train = cli(capsys, "effective", "train", "--p", "5", "--train-size", "13", "--width", "32",
                "--steps", "600", "--seeds", "0-1")
    pred = cli(capsys, "predict", "toy", *FAST, "--simulate", "always")
    sims = [r["simulation"] for r in pred["phase"]["per_seed"]]
    assert [(s["iter_train"], s["iter_test"]) for s in sims] == \
        [(r["iter_train"], r["iter_test"]) for r in train["runs"]]
    info = pred["phase"]["simulation"]
    assert info["seeds"] == [0, 1] and info["steps"] == 600 and info["budget"] == 100000
    assert pred["evidence"]["simulation"]["seeds"] == [0, 1]


def test_a_given_split_is_simulated_on_every_seed(tmp_path, capsys):
    task = ArithmeticTask(5)
    pairs = task.pairs[[0, 1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 14]].tolist()   # test (1,3), (2,3)
    split = split_from_pairs(task, pairs)
    assert label_coverage(split) >= 0.9 and analyze_split(split).forced   # theory undecided
    path = tmp_path / "split.csv"
    path.write_text("".join(f"{a},{b}\n" for a, b in pairs))
    out = cli(capsys, "predict", "toy", "--p", "5", "--split", str(path), "--width", "32",
              "--steps", "200", "--seeds", "0-2", "--quiet")
    per = out["phase"]["per_seed"]
    assert [r["method"] for r in per] == ["simulation"] * 3
    assert all(r["split"]["train_pairs"] == sorted(map(list, pairs)) for r in per)
    assert out["phase"]["simulation"]["seeds"] == [0, 1, 2]


def test_theory_and_simulation_combine(capsys):
    # --simulate always on seeds the theory decides: a run that fits its training set but
    # not (yet) its test set could still grok or memorize (or comprehend) as far as the
    # simulation alone knows; the theory rules generalization out: memorization
    out = cli(capsys, "predict", "toy", "--p", "5", "--train-size", "11", "--decoder-lr",
              "1e-3", "--repr-lr", "1e-2", "--decoder-wd", "1", "--width", "32", "--steps",
              "1500", "--seeds", "0-1", "--simulate", "always", "--quiet")
    d = PhaseDefinition()
    for r in out["phase"]["per_seed"]:
        sim = r["simulation"]
        assert r["split"]["decided"] and sim["iter_train"] is not None
        assert sim["iter_test"] is None
        alone = phase_candidates(sim["iter_train"], None, 1500, d)
        assert "grokking" in alone and "memorization" in alone
        assert (r["method"], r["phase"], r["groks"]) == ("theory + simulation", "memorization",
                                                         False)
    assert out["phase"]["simulation"]["censored_seeds"] == []


def test_simulation_is_deterministic(capsys):
    first = cli(capsys, "predict", "toy", *FAST, "--simulate", "always")
    assert cli(capsys, "predict", "toy", *FAST, "--simulate", "always") == first


def test_train_toy_splits_override():
    from validation.effective import ToyConfig, make_batch, run_split, train_toy

    cfg = ToyConfig(p=5, width=16, steps=40)
    own = train_toy(cfg, make_batch([0, 1], train_size=10))
    same = train_toy(cfg, make_batch([0, 1], train_size=10),
                     splits=[run_split(cfg, 0, 10), run_split(cfg, 1, 10)])
    assert np.array_equal(own.embedding, same.embedding)     # the override changes nothing else
    given = split_from_pairs(cfg.task, [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4),
                                        (1, 1), (1, 2), (1, 3), (1, 4), (2, 2)])
    res = train_toy(cfg, make_batch([0, 1], train_size=10), splits=[given, given])
    assert all(np.array_equal(t, given.train) for t in res.train_sets)
    with pytest.raises(ValueError, match="train_size 9"):
        train_toy(cfg, make_batch([0], train_size=9), splits=[given])


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("text,message", [
    ("a,b\n0,1\n0,7\n", "row 3: (0, 7) is out of range"),
    ("0,1\n2,3\n1,0\n", "row 3: (1, 0) repeats row 1"),
    ("# my split\n0,1\n\n1,x\n", "row 4: 'x' is not an integer"),
    ("0,1,2\n", "row 1: expected two integers"),
    ("a,b\n", "no training pairs found"),
    ("0,1\n1.5,2\n", "row 2: 1.5 is not an integer"),
])
def test_split_file_errors_name_the_row(tmp_path, text, message):
    path = tmp_path / "split.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match="split.csv: " + message.replace("(", r"\(")
                       .replace(")", r"\)")):
        read_split(path, ArithmeticTask(5))


@pytest.mark.parametrize("data,message", [({"pairs": []}, "'train_pairs' list"),
                                          ([[0, 1], [0]], "row 2: expected two integers"),
                                          ([[0, 1], [True, 2]], "row 2: True is not")])
def test_split_json_errors(tmp_path, data, message):
    path = tmp_path / "split.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=message):
        read_split(path, ArithmeticTask(5))


def test_split_file_errors_reach_the_cli(tmp_path, capsys):
    path = tmp_path / "split.csv"
    path.write_text("0,1\n0,9\n")
    err = cli(capsys, "predict", "toy", "--p", "5", "--split", str(path), expect=1)
    assert "split.csv: row 2: (0, 9) is out of range" in err
    err = cli(capsys, "predict", "toy", "--split", str(tmp_path / "missing.csv"), expect=1)
    assert "cannot read the file" in err
    every = "\n".join(f"{i},{j}" for i in range(4) for j in range(i, 4))
    path.write_text(every)
    err = cli(capsys, "predict", "toy", "--p", "4", "--split", str(path), expect=1)
    assert "no test sample is left" in err


@pytest.mark.parametrize("args,code,flag", [
    (("--train-size", "55"), 1, "--train-size"),
    ((), 1, "--train-size"),
    (("--train-size", "20", "--acc-threshold", "2"), 2, "--acc-threshold"),
    (("--train-size", "20", "--repr-lr", "0"), 2, "--repr-lr"),
    (("--train-size", "20", "--simulate", "maybe"), 2, "--simulate"),
])
def test_bad_toy_input_names_the_flag(capsys, args, code, flag):
    err = cli(capsys, "predict", "toy", *args, expect=code)
    assert flag in err
