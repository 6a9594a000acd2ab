"""Regression tests for the CLI defects of the hardening issue (each failed before its fix).

Run in-process through :func:`grokking_cli.main` (the console script is covered by
test_cli.py); stdout/stderr are captured by pytest.
"""

import json

import numpy as np
import pytest

from grokking_cli import main
from theory.ridge import grokking_times, sample_problem


def call(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_t1_mean_leaves_out_the_no_overfitting_marker(capsys):
    # the observation: t1 = [-1, 2, 0, 1]; the old mean 0.5 averaged the -1 marker
    code, out, _ = call(capsys, "ridge", "times", "--n", "20", "--m", "200", "--nu2", "0.016",
                        "--lam", "1e-3", "--seeds", "4")
    data = json.loads(out)
    assert code == 0 and [r["t1"] for r in data["runs"]] == [-1, 2, 0, 1]
    assert data["mean"]["t1"] == 1.0 and data["n_defined"]["t1"] == 3
    assert data["mean_over"]["t1"]["seeds"] == [1, 2, 3]
    # the grokking-time mean is over the seeds where both times exist, and says so
    assert data["mean_over"]["grokking_time"]["seeds"] == [1, 2, 3]
    assert data["mean_over"]["t2"]["seeds"] == [0, 1, 2, 3]


def test_censored_gd_is_undecided_not_false(capsys):
    code, out, _ = call(capsys, "ridge", "times", "--method", "gd", "--horizon", "100",
                        "--seeds", "1")
    run = json.loads(out)["runs"][0]
    assert code == 0 and run["t2"] is None
    for key in ("generalizes", "groks"):
        assert run[key] is None and "horizon" in run["undecided"][key]
    # the exact answer it could not see: seed 0 groks (t1 = 208, t2 = 22698)
    exact = grokking_times(sample_problem(seed=0), lam=1e-4, eta=1.0, eps=0.01, c=0.01)
    assert exact.groks and exact.t2 > 100


def test_gd_decided_within_horizon_keeps_booleans(capsys):
    code, out, _ = call(capsys, "ridge", "times", "--n", "20", "--m", "200", "--lam", "1e-3",
                        "--method", "gd", "--seeds", "1")
    run = json.loads(out)["runs"][0]
    assert run["generalizes"] is True and run["groks"] is True and run["undecided"] == {}


@pytest.mark.parametrize("args, fragment", [
    (("ridge", "times", "--lam", "-1e-3"), "--lam must be a finite number >= 0, got -1e-3"),
    (("ridge", "times", "--nu2", "-1e0"), "--nu2 must be a finite number >= 0, got -1e0"),
    (("ridge", "bounds", "--delta", "2"), "--delta must be a finite number > 0 and < 1"),
    (("ridge", "times", "--delta", "2"), "--delta must be a finite number > 0 and < 1"),
    (("kernel", "curve", "--sigma2-max", "inf"), "--sigma2-max must be a finite number > 0"),
    (("kernel", "curve", "--sigma2-min", "0.3", "--sigma2-max", "0.2"),
     "--sigma2-min must be < --sigma2-max"),
    (("effective", "train", "--acc-threshold", "2"), "--acc-threshold must be"),
    (("effective", "analyze", "--p", "1"), "--p must be an integer >= 2"),
    (("effective", "critical", "--p", "1"), "--p must be an integer >= 2"),
    (("ridge", "times", "--max-memory", "-1"), "--max-memory must be"),
])
def test_bad_values_name_the_flag_and_range(capsys, args, fragment):
    code, out, err = call(capsys, *args)
    assert code != 0 and out == "" and fragment in one_line(err)


def test_integer_flags_accept_scientific_notation(capsys):
    code, out, _ = call(capsys, "ridge", "times", "--n", "2e1", "--m", "2e2", "--lam", "1e-3",
                        "--method", "gd", "--horizon", "1e4", "--seeds", "1")
    data = json.loads(out)
    assert code == 0 and data["config"]["parameters"]["horizon"] == 10_000
    assert (data["config"]["parameters"]["n"], data["config"]["parameters"]["m"]) == (20, 200)


@pytest.mark.parametrize("args, fragment", [
    (("ridge", "times", "--m", "100000000"), "needs about"),
    (("ridge", "times", "--seeds", "100000", "--n", "100000"), "floating-point operations"),
    (("effective", "critical", "--p", "1000"), "needs about"),
])
def test_huge_requests_are_refused_before_allocating(capsys, args, fragment):
    code, out, err = call(capsys, *args)
    assert code == 1 and out == "" and fragment in one_line(err)


def test_memory_limit_is_overridable(capsys):
    # 100 x 20000 features need ~30 MiB: refused under a 10 MiB limit, accepted by default
    args = ("ridge", "times", "--n", "100", "--m", "20000", "--seeds", "1")
    code, _, err = call(capsys, *args, "--max-memory", str(10 / 1024))
    assert code == 1 and "needs about" in one_line(err)
    code, out, _ = call(capsys, *args)
    assert code == 0 and json.loads(out)["runs"][0]["t2"] is not None


def test_no_numpy_reprs_in_messages(capsys):
    code, _, err = call(capsys, "ridge", "times", "--eta", "1e6", "--method", "gd",
                        "--seeds", "1")
    assert code == 1 and "np." not in one_line(err) and "diverges" in err


def test_kernel_sizes_have_descriptive_names_and_old_aliases(capsys):
    _, new, _ = call(capsys, "kernel", "critical", "--samples", "3000", "--width", "700")
    _, old, _ = call(capsys, "kernel", "critical", "--n", "3000", "--N", "700")
    a, b = json.loads(new), json.loads(old)
    assert a["u_c"] == b["u_c"] and a["config"]["parameters"] == b["config"]["parameters"]


def test_warnings_go_into_the_json_not_stderr(capsys):
    code, out, err = call(capsys, "kernel", "modular", "--modulus", "12")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert any("prime" in w for w in data["warnings"])


def _write_runs(tmp_path, header="run,label"):
    rng = np.random.default_rng(0)
    t = np.arange(60)
    rows = []
    for k in range(12):
        label = k % 2
        # positives: smooth decay (low activity); negatives: noisy (high activity)
        loss = np.exp(-t / 30) + (0.0 if label else 0.2) * rng.standard_normal(t.size)
        lines = ["step,train_loss"] + [f"{s},{float(v)!r}" for s, v in zip(t, loss)]
        (tmp_path / f"run{k}.csv").write_text("\n".join(lines) + "\n")
        rows.append(f"run{k},{label}")
    (tmp_path / "labels.csv").write_text("\n".join([header] + rows) + "\n")


def test_calibrate_in_sample_auroc_uses_the_fitted_direction(capsys, tmp_path):
    # perfectly separated with *low* activity = generalizes: the rule is perfect, AUROC 1
    # (the old output, 0.0, scored the raw activity in the 'higher' direction)
    _write_runs(tmp_path)
    code, out, _ = call(capsys, "spectral", "calibrate", str(tmp_path), "--window", "50",
                        "--out", str(tmp_path / "model.json"))
    data = json.loads(out)
    assert code == 0 and data["direction"] == "lower" and data["auroc_in_sample"] == 1.0


def test_calibrate_labels_without_label_column(capsys, tmp_path):
    _write_runs(tmp_path, header="run,target")
    code, out, err = call(capsys, "spectral", "calibrate", str(tmp_path), "--window", "50",
                          "--out", str(tmp_path / "model.json"))
    assert code == 1 and out == "" and "'run' and 'label'" in one_line(err)


def test_out_file_is_written_atomically(capsys, tmp_path, monkeypatch):
    import os

    target = tmp_path / "r.json"
    target.write_text("old")

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    code, _, _ = call(capsys, "ridge", "times", "--seeds", "1", "--out", str(target))
    assert code == 130 and target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]     # no temporary left behind


def test_interrupted_figure_write_leaves_no_partial_file(tmp_path, monkeypatch):
    # a figure job killed while saving: neither the target nor a temporary file remains
    import matplotlib.figure

    from validation._io import save_figure

    fig = matplotlib.figure.Figure()
    fig.add_subplot().plot([0, 1])
    real_savefig = matplotlib.figure.Figure.savefig

    def interrupted(self, fname, *args, **kwargs):
        real_savefig(self, fname, *args, **kwargs)       # the bytes are on disk ...
        raise KeyboardInterrupt                          # ... and the job dies before rename

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_figure(fig, tmp_path, "fig1", {"data": 1})
    assert list(tmp_path.iterdir()) == []
