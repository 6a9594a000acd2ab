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
