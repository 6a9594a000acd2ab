"""CLI contract of ``grokking effective ...`` (subprocess through the console script)."""

import json

import pytest
from test_cli import run  # tests/ is on sys.path (rootdir-less test modules)

from theory import __version__
from theory.effective import ArithmeticTask, analyze_split, critical_curve, random_split


def test_critical_contract():
    data = json.loads(run("effective", "critical", "--p", "10", "--trials", "300",
                          "--seed", "4").stdout)
    assert {"train_size", "fraction", "p_forced", "stderr", "lambda3_median", "config"} <= \
        data.keys()
    assert data["train_size"] == list(range(1, 56))
    api = critical_curve(ArithmeticTask(10), trials=300, seed=4)
    assert data["r_half"] == pytest.approx(api.r_half, rel=1e-12)
    assert data["p_forced"] == pytest.approx(api.p_forced.tolist(), abs=0)
    assert data["config"]["parameters"]["trials"] == 300 and data["config"]["version"] == \
        __version__


def test_analyze_contract_matches_api():
    data = json.loads(run("effective", "analyze", "--p", "10", "--train-size", "45",
                          "--seed", "0").stdout)
    a = analyze_split(random_split(ArithmeticTask(10), 45, 0))
    for key in ("n0", "forced", "lambda3", "n_h", "rqi_bar", "acc_bar"):
        assert data[key] == pytest.approx(getattr(a, key))
    assert len(data["train_pairs"]) == 45
    assert data["config"]["parameters"]["seed"] == 0


def test_train_contract(tmp_path):
    out = tmp_path / "train.json"
    proc = run("effective", "train", "--p", "6", "--train-size", "15", "--seeds", "0-2",
               "--steps", "50", "--width", "16", "--decoder-lr", "1e-3", "--out", str(out))
    data = json.loads(proc.stdout)
    assert json.loads(out.read_text()) == data
    assert [r["seed"] for r in data["runs"]] == [0, 1, 2]
    for r in data["runs"]:
        assert {"iter_train", "iter_test", "iter_rqi", "acc", "acc_hat", "rqi", "phase"} <= r.keys()
        assert r["censored"] == (r["iter_train"] is None or r["iter_test"] is None)
        # a censored run's phase is undecided (null), never a guess
        if r["censored"]:
            assert r["phase"] is None and "undecided" in r
        else:
            assert r["phase"] in ("comprehension", "grokking", "memorization", "confusion")
    cfg = data["config"]
    assert cfg["phases"]["budget"] == 100000 and cfg["phases"]["lag"] == 1000
    assert cfg["parameters"]["decoder_lr"] == 1e-3 and cfg["seeds"] == [0, 1, 2]


@pytest.mark.parametrize("args, needle, code", [
    (("analyze", "--p", "1"), "--p must be an integer >= 2", 2),
    (("critical", "--p", "1"), "--p must be an integer >= 2", 2),
    (("analyze", "--train-size", "56"), "train_size must lie in [1, 55]", 1),
    (("train", "--train-size", "56"), "--train-size must be an integer in [1, 55]", 1),
    (("train", "--steps", "0"), "--steps must be an integer >= 1", 2),
    # the message names the flag, not the internal parameter (rqi_threshold)
    (("train", "--steps", "2", "--rqi-threshold", "1.5"), "--rqi-threshold must be", 2),
    (("train", "--steps", "2", "--acc-threshold", "0"), "--acc-threshold must be", 2),
    (("critical", "--train-sizes", "3,x"), "--train-sizes", 2),
])
def test_bad_values_one_line(args, needle, code):
    proc = run("effective", *args, expect=code)
    assert needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_bad_flag_exit_2():
    proc = run("effective", "train", "--lr", "1", expect=2)
    assert len(proc.stderr.strip().splitlines()) == 1
