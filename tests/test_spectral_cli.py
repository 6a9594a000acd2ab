"""``grokking spectral score --model toy`` and ``spectral corpus``: the shipped models from the
CLI."""

import json

import numpy as np
import pytest

from grokking_cli import main
from theory.spectral.model import load_model
from validation.effective import ToyConfig, make_batch, train_toy


@pytest.fixture(scope="module")
def toy_curve_csv(tmp_path_factory):
    # a toy run inside the shipped toy grid (decoder lr 1e-4, wd 1, 40 samples) with a seed
    # that is not in the corpus: the plain step,train_loss CSV a user would log
    res = train_toy(ToyConfig(steps=400, record_every=400, record_loss_curve=True),
                    make_batch([7], train_size=40, decoder_lr=1e-4, decoder_wd=1.0))
    loss = res.loss_curve[0]
    path = tmp_path_factory.mktemp("curve") / "run.csv"
    path.write_text("step,train_loss\n" + "".join(f"{t},{float(v)!r}\n"
                                                  for t, v in enumerate(loss)))
    return path, loss


def test_score_with_the_shipped_toy_model_needs_no_calibration(capsys, toy_curve_csv):
    path, loss = toy_curve_csv
    assert main(["spectral", "score", str(path), "--model", "toy"]) == 0
    data = json.loads(capsys.readouterr().out)
    # the same answer as the library applied to the same numbers
    expected = load_model("toy").predict(loss)
    assert data["probability"] is not None
    assert data["probability"] == pytest.approx(expected.probability, rel=1e-12)
    assert data["prediction"] == expected.prediction
    assert data["config"]["command"] == "grokking spectral score"


def test_score_strided_log_is_resampled(capsys, toy_curve_csv, tmp_path):
    # a user who logs every 4th step gets the same answer up to interpolation, and is told
    path, loss = toy_curve_csv
    strided = tmp_path / "strided.csv"
    strided.write_text("step,train_loss,lr\n" + "".join(
        f"{t},{float(loss[t])!r},0.001\n" for t in range(0, 401, 4)))
    assert main(["spectral", "score", str(strided), "--model", "toy"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["resampled"]
    full = load_model("toy").predict(loss)
    assert data["raw_probability"] == pytest.approx(full.raw_probability, abs=0.1)


def test_threshold_rule_models_still_work(capsys, toy_curve_csv, tmp_path):
    path, _ = toy_curve_csv
    model = tmp_path / "rule.json"
    model.write_text(json.dumps({"model": {"threshold": 1e-3, "feature": "activity",
                                           "direction": "higher", "threshold_source": "test",
                                           "config": {"window": 100}}}))
    assert main(["spectral", "score", str(path), "--model", str(model)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["prediction"] in (True, False) and data["threshold"] == 1e-3
    assert np.isfinite(data["activity"])


def test_score_refuses_the_split_model_without_a_split(capsys, toy_curve_csv):
    """spectral score has no --split: toy_split is refused naming --model and the verb that can."""
    assert main(["spectral", "score", str(toy_curve_csv), "--model", "toy_split"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--model" in err and "predict curve" in err
