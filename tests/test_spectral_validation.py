"""Spectral validation: curve CSV contract, corpus labels, held-out evaluation, CLI."""

import json

import numpy as np
import pytest
from test_cli import run  # tests/ is on sys.path (rootdir-less test modules)

from theory.effective import PhaseDefinition
from validation.spectral.corpus import Corpus, label_curves, read_runs_dir, write_runs_dir
from validation.spectral.evaluation import baseline_scores, evaluate_corpus, split_corpus
from validation.spectral.io import read_curve_csv


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("text, needle", [
    ("", "empty"),
    ("step,loss\n0,1\n", "missing column 'train_loss'"),
    ("step,train_loss\n", "no data rows"),
    ("step,train_loss\n0,1\n1,inf\n", "non-finite"),
    ("step,train_loss\n0,1\n1,abc\n", "not a number"),
    ("step,train_loss\n0,1\n0,2\n", "duplicated step 0"),
    ("step,train_loss\n1,1\n0,2\n", "not increasing"),
    ("step,train_loss\n0,1\n2,2\n", "consecutive"),
    ("step,train_loss\n0.5,1\n1.5,2\n", "integers"),
])
def test_curve_csv_errors_name_the_problem(tmp_path, text, needle):
    with pytest.raises(ValueError, match=needle):
        read_curve_csv(_write(tmp_path / "c.csv", text))


def test_curve_csv_ignores_other_columns(tmp_path):
    t = read_curve_csv(_write(tmp_path / "c.csv", "lr,step,train_loss\n1,0,3\n1,1,2\n"))
    assert t["train_loss"].tolist() == [3.0, 2.0] and t["step"].tolist() == [0, 1]


def test_labels_follow_the_phase_classifier():
    d = PhaseDefinition(budget=100, acc_threshold=0.9, lag=10)
    steps = np.arange(101)
    train = (steps >= 5).astype(float)
    grok = (steps >= 50).astype(float)      # val 45 steps after train: grokking
    comp = (steps >= 12).astype(float)      # 7 steps after train: comprehension
    never = np.zeros(101)
    phases, label = label_curves(np.stack([train] * 3), np.stack([grok, comp, never]), d)
    assert phases == ["grokking", "comprehension", "memorization"]
    assert label.tolist() == [True, True, False]


def _toy_corpus(n=40, seed=0):
    """Synthetic corpus: generalizing runs have an oscillating early loss (known answer)."""
    rng = np.random.default_rng(seed)
    t = np.arange(301)
    label = np.arange(n) % 2 == 0
    loss = np.exp(-t / 100)[None, :] + 0.01 * rng.standard_normal((n, t.size))
    loss[label] += 0.2 * np.sin(t / 3.0)
    acc = np.ones((n, t.size))
    return Corpus(loss, acc, acc * label[:, None], label, ["x"] * n,
                  np.array(["synthetic"] * n), [{} for _ in range(n)])


def test_split_is_stratified_and_evaluation_recovers_a_planted_signal():
    corpus = _toy_corpus()
    calib = split_corpus(corpus, seed=1)
    assert calib.sum() == 20 and corpus.label[calib].sum() == 10
    from theory.spectral import SpectralConfig

    ev = evaluate_corpus(corpus, SpectralConfig(window=100), n_boot=200)
    res = ev.results["synthetic"]["activity"]
    # the planted sinusoid (amplitude 0.2 -> activity 0.02 vs noise 1e-4) separates perfectly
    assert res["auroc"]["estimate"] == 1.0 and res["direction"] == "higher"
    assert ev.config["compute_saved"] == pytest.approx(1 - 100 / 300)


def test_baselines_by_hand():
    curves = np.array([[5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 9.0, 9.0]])
    b = baseline_scores(curves, window=6)
    assert b["loss_at_end"][0] == 0.0 and b["loss_drop"][0] == 5.0
    assert b["final_slope"][0] == pytest.approx(-1.0)     # last quarter (2 points) of 6


def test_runs_dir_roundtrip_and_cli(tmp_path):
    corpus = _toy_corpus(n=12)
    runs = tmp_path / "runs"
    write_runs_dir(corpus, runs)
    names, curves, labels, source = read_runs_dir(str(runs))
    assert len(names) == 12 and np.array_equal(labels, corpus.label) and source == "labels.csv"
    assert np.allclose(curves[3], corpus.train_loss[3], rtol=1e-6)
    model = tmp_path / "model.json"
    cal = json.loads(run("spectral", "calibrate", str(runs), "--window", "100",
                         "--out", str(model)).stdout)
    assert cal["direction"] == "higher" and cal["auroc_in_sample"] == 1.0
    assert cal["config"]["parameters"]["spectral"]["window"] == 100
    scored = json.loads(run("spectral", "score", str(runs / "run_0000.csv"), "--model",
                            str(model)).stdout)
    for key in ("activity", "mobility", "complexity", "prediction", "threshold",
                "threshold_source"):
        assert key in scored
    assert scored["prediction"] is True and "loaded from" in scored["threshold_source"]
    # without a model: features but no decision, and it says why
    plain = json.loads(run("spectral", "score", str(runs / "run_0001.csv"), "--window",
                           "100").stdout)
    assert plain["prediction"] is None and "--model" in plain["threshold_source"]


def test_cli_score_errors(tmp_path):
    short = _write(tmp_path / "s.csv", "step,train_loss\n0,1\n1,0.5\n")
    proc = run("spectral", "score", short, expect=1)
    assert "shorter than --window (400)" in proc.stderr
    const = _write(tmp_path / "k.csv", "step,train_loss\n" + "".join(f"{i},2\n" for i in range(8)))
    out = json.loads(run("spectral", "score", const, "--window", "8").stdout)
    assert out["activity"] == 0.0                       # constant curve: 0, not a crash
    proc = run("spectral", "calibrate", str(tmp_path / "nope"), "--out", "m.json", expect=1)
    assert "not a directory" in proc.stderr
