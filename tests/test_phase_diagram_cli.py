"""``grokking phase-diagram ...`` and ``grokking boundary ridge``: the CLI contract."""

import json
import os

import pytest

from grokking_cli import main
from theory.ridge.boundary import boundary_expression


def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def test_toy_cli_contract_and_resume(capsys, tmp_path):
    argv = ["phase-diagram", "toy", "--x", "decoder-lr=1e-3,1e-2", "--y", "decoder-wd=0",
            "--steps", "20", "--seeds", "2", "--workers", "1", "--no-progress", "--out",
            str(tmp_path)]
    code, doc, err = _run(capsys, argv)
    assert code == 0 and err == ""
    assert doc["x"] == {"name": "decoder-lr", "values": [0.001, 0.01], "scale": "values"}
    assert doc["y"]["name"] == "decoder-wd" and len(doc["phases"]) == 1
    assert len(doc["phases"][0]) == 2 and len(doc["cells"]) == 4
    assert {"iter_train", "iter_test", "phase", "censored"} <= set(doc["cells"][0])
    assert doc["config"]["command"] == "grokking phase-diagram toy"
    assert doc["config"]["sweep"]["steps"] == 20 and doc["config"]["sweep"]["seeds"] == [0, 1]
    assert all(os.path.exists(f) for f in doc["files"])
    with open(doc["files"][-1]) as fh:
        assert json.load(fh)["cells"] == doc["cells"]
    code, again, _ = _run(capsys, argv)                   # same command: resumed, same cells
    assert again["timing"]["chunks_computed"] == 0 and again["cells"] == doc["cells"]


@pytest.mark.parametrize("argv, match", [
    (["--quick", "--x", "decoder-lr"], "--quick sets the grid"),
    (["--x", "bogus=1,2"], "unknown axis"),
    (["--x", "decoder-lr=1:2"], "START:STOP:NUM"),
    (["--steps", "0"], "--steps must be an integer >= 1"),
])
def test_toy_cli_bad_input_is_one_line_on_stderr(capsys, tmp_path, argv, match):
    code, _, err = _run(capsys, ["phase-diagram", "toy", *argv, "--out", str(tmp_path)])
    assert code in (1, 2) and match in err and err.count("\n") == 1


def test_ridge_and_kernel_cli(capsys, tmp_path):
    code, doc, _ = _run(capsys, ["phase-diagram", "ridge", "--x", "lam=1e-4,1e-2", "--y",
                                 "nu2=1", "--workers", "1", "--no-progress", "--out",
                                 str(tmp_path / "r")])
    assert code == 0 and doc["certified"] == [[True, False]]
    assert doc["boundary"]["expression"] == str(boundary_expression("lam"))
    code, doc, _ = _run(capsys, ["phase-diagram", "kernel", "--x", "sigma2=0.1,0.3", "--y",
                                 "n=3000", "--workers", "1", "--no-progress", "--out",
                                 str(tmp_path / "k")])
    assert code == 0 and doc["phases"] == [["GMFL-I", "GFL"]]
    assert doc["config"]["theory"] == "adaptive_kernel"


@pytest.mark.parametrize("solve_for", ["lam", "nu2", "n"])
def test_boundary_cli(capsys, tmp_path, solve_for):
    out = tmp_path / "b.json"
    code, doc, _ = _run(capsys, ["boundary", "ridge", "--solve-for", solve_for, "--latex",
                                 "--out", str(out)])
    assert code == 0
    assert doc["expression"] == str(boundary_expression(solve_for))
    assert doc["latex"] and doc["assumptions"] and doc["config"]["parameters"]["latex"]
    with open(out) as fh:
        assert json.load(fh) == doc
