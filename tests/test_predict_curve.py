"""``grokking predict curve``: the same answer as ``grokking spectral score`` on the same model."""

import json

import numpy as np
import pytest

from grokking_cli import main


def cli(capsys, *args, expect=0):
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == expect, captured.err
    return json.loads(captured.out) if expect == 0 else captured.err


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory):
    """Eight labelled synthetic curves: the generalizing ones oscillate more early on."""
    d = tmp_path_factory.mktemp("runs")
    steps = np.arange(300)
    for k in range(8):
        good = k % 2 == 0
        loss = np.exp(-steps / 200) * (1 + (0.3 if good else 0.05) * np.sin(steps / 3)) + 0.01
        acc = np.clip(steps / 300, 0, 1)
        rows = "".join(f"{s},{float(v)!r},{float(a)!r},{float(a) * (1 if good else 0.3)!r}\n"
                       for s, v, a in zip(steps, loss, acc))
        (d / f"run{k}.csv").write_text("step,train_loss,train_acc,val_acc\n" + rows)
    (d / "labels.csv").write_text("run,label\n" + "".join(f"run{k},{int(k % 2 == 0)}\n"
                                                          for k in range(8)))
    return d


def test_threshold_rule_model_equals_spectral_score(runs_dir, tmp_path, capsys):
    model = tmp_path / "MODEL.json"
    cli(capsys, "spectral", "calibrate", str(runs_dir), "--out", str(model), "--window", "200")
    for k in (0, 1):
        curve = str(runs_dir / f"run{k}.csv")
        score = cli(capsys, "spectral", "score", curve, "--model", str(model))
        pred = cli(capsys, "predict", "curve", curve, "--model", str(model))
        assert pred["prediction"] == score["prediction"] == (k == 0)
        assert (pred["score"], pred["threshold"]) == (score["score"], score["threshold"])
        assert pred["probability"] is None and pred["groks"] is None   # a rule: no probability
        assert pred["generalizes"] == score["prediction"]
        assert pred["config"]["command"] == "grokking predict curve"


def test_an_unknown_model_is_named(runs_dir, capsys):
    err = cli(capsys, "predict", "curve", str(runs_dir / "run0.csv"), "--model", "nosuch",
              expect=1)
    assert "--model" in err and "nosuch" in err


# ---------------------------------------------------------------------------- early-curve models
def _model_file(name):
    import os

    import theory.spectral

    path = os.path.join(os.path.dirname(theory.spectral.__file__), "models", f"{name}.json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _write_curve(path, losses, stride=1):
    path.write_text("step,train_loss\n" + "".join(f"{i * stride},{float(v)!r}\n"
                                                  for i, v in enumerate(losses)))
    return str(path)


@pytest.mark.parametrize("name", ["toy", "modular"])
def test_early_model_probability_is_the_fitted_models(tmp_path, capsys, name):
    # reference runs stored with each model: scikit-learn's predict_proba at fitting time
    for ref in _model_file(name)["reference_runs"]:
        curve = _write_curve(tmp_path / "c.csv", ref["early_loss"])
        pred = cli(capsys, "predict", "curve", curve, "--model", name)
        assert pred["probability"] == pytest.approx(ref["probability_sklearn"], rel=1e-9)
        assert pred["prediction"] == (ref["probability_sklearn"] >= 0.5) == pred["generalizes"]
        assert pred["groks"] is None and "not whether" in pred["groks_reason"]
        card = pred["model_card"]
        assert card["name"] == name and card["held_out"]["auroc"]["estimate"] > 0.5
        assert f"held-out AUROC {card['held_out']['auroc']['estimate']:.2f}" in pred["summary"]


def test_combined_model_takes_the_runs_split(tmp_path, capsys):
    # corpus run 71 (seed 100071): its split is the toy trainer's own run_split
    from validation.effective import ToyConfig, run_split

    ref = next(r for r in _model_file("toy_split")["reference_runs"] if r["run"] == 71)
    corpus = np.load(_model_file_path("validation.spectral", "data/toy_corpus.npz"))
    k = int(np.flatnonzero(corpus["seed"] == ref["seed"])[0])
    split = run_split(ToyConfig(), int(ref["seed"]), int(corpus["settings__train_size"][k]))
    pairs = tmp_path / "split.csv"
    pairs.write_text("".join(f"{a},{b}\n" for a, b in split.train_pairs.tolist()))
    curve = _write_curve(tmp_path / "c.csv", ref["early_loss"])
    pred = cli(capsys, "predict", "curve", curve, "--model", "toy_split", "--split", str(pairs))
    assert pred["evidence"]["split"] == pytest.approx(ref["split"], rel=1e-12)
    assert pred["probability"] == pytest.approx(ref["probability_sklearn"], rel=1e-9)
    err = cli(capsys, "predict", "curve", curve, "--model", "toy_split", expect=1)
    assert "--split" in err
    err = cli(capsys, "predict", "curve", curve, "--model", "toy", "--split", str(pairs),
              expect=1)
    assert "curve only" in err


def _model_file_path(package, relative):
    import importlib
    import os

    return os.path.join(os.path.dirname(importlib.import_module(package).__file__), relative)


def test_a_curve_shorter_than_the_window_has_no_confident_answer(tmp_path, capsys):
    curve = _write_curve(tmp_path / "c.csv", np.linspace(1.0, 0.5, 50))
    pred = cli(capsys, "predict", "curve", curve, "--model", "toy")
    assert pred["probability"] is None and pred["prediction"] is None
    assert any("too short" in w for w in pred["warnings"])
    assert pred["summary"].startswith("no confident answer")
