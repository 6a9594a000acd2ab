"""CLI tests through the real ``grokking`` console script (subprocess)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from theory import __version__


def _script():
    here = os.path.dirname(sys.executable)
    path = shutil.which("grokking", path=here) or shutil.which("grokking")
    if path is None:
        pytest.fail("the grokking console script is not installed (pip install -e .)")
    return path


def run(*args, expect=0):
    proc = subprocess.run([_script(), *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == expect, proc.stderr
    return proc


def test_version_is_fast_and_correct():
    proc = run("--version")
    assert proc.stdout.strip() == f"grokking-theory {__version__}"


def test_version_does_not_import_numpy():
    code = ("import sys; from grokking_cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "print('numpy' in sys.modules, 'sympy' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "False False False"


def test_times_exact_contract():
    proc = run("ridge", "times", "--n", "20", "--m", "200", "--lam", "1e-3", "--seeds", "2")
    data = json.loads(proc.stdout)
    assert {"runs", "mean", "config"} <= data.keys()
    assert [r["seed"] for r in data["runs"]] == [0, 1]
    for run_ in data["runs"]:
        assert {"seed", "t1", "t2", "grokking_time"} <= run_.keys()
        assert run_["grokking_time"] == run_["t2"] - run_["t1"]
    assert data["mean"]["t1"] == pytest.approx(sum(r["t1"] for r in data["runs"]) / 2)
    cfg = data["config"]
    assert cfg["version"] == __version__
    assert cfg["seeds"] == [0, 1]
    assert cfg["parameters"]["lam"] == 1e-3 and cfg["parameters"]["method"] == "exact"
    assert "t1" in cfg["definitions"] and "t2" in cfg["definitions"]


def test_times_defaults_are_the_paper_setting():
    data = json.loads(run("ridge", "times", "--seeds", "1").stdout)
    p = data["config"]["parameters"]
    assert (p["n"], p["m"], p["nu2"], p["lam"], p["eta"], p["eps"], p["c"]) == \
        (100, 1000, 1.0, 1e-4, 1.0, 0.01, 0.01)
    assert (data["runs"][0]["t1"], data["runs"][0]["t2"]) == (208, 22698)


def test_times_gd_method_matches_exact():
    args = ["ridge", "times", "--n", "20", "--m", "200", "--lam", "1e-3", "--seeds", "0-2"]
    exact = json.loads(run(*args).stdout)["runs"]
    gd = json.loads(run(*args, "--method", "gd").stdout)
    assert gd["config"]["parameters"]["method"] == "gd"
    for a, b in zip(exact, gd["runs"]):
        assert (a["seed"], a["t1"], a["t2"]) == (b["seed"], b["t1"], b["t2"])


def test_bounds_contract(tmp_path):
    out = tmp_path / "b.json"
    proc = run("ridge", "bounds", "--seeds", "1", "--out", str(out))
    data = json.loads(proc.stdout)
    assert json.loads(out.read_text()) == data
    for key in ("t1_upper_eq6", "t2_lower_eq7", "t1_upper_eq8", "t2_lower_eq8",
                "conditions", "config"):
        assert key in data
    assert data["t2_lower_eq8"]["value"] == pytest.approx(11982.02, abs=0.005)
    assert data["t2_lower_eq7"]["value"] == pytest.approx(8142.81, abs=0.005)
    # the paper's own eta = 1 breaks Thm 4.2's step size; said, not refused
    assert data["conditions"]["thm42_step_size"]["satisfied"] is False
    assert data["conditions"]["thm44_step_size"]["satisfied"] is True
    assert "thm42_step_size" in data["t2_lower_eq8"]["failed"]


def test_control_contract():
    data = json.loads(run("ridge", "control", "--seeds", "1").stdout)
    for key in ("lam_star", "nu2_vacuity_threshold", "nu2_onset_exact", "t2_point_estimate",
                "elasticities_eq8", "config"):
        assert key in data
    # its defining property (not the CLI's arithmetic): Eq. (8)'s t2 bound vanishes there
    from theory.ridge.bounds import eq8_t2_lower

    assert eq8_t2_lower(100, 1000, data["nu2_vacuity_threshold"], 0.01, 1.0, 1e-4) == \
        pytest.approx(0.0, abs=1e-9)


def test_no_null_space_still_returns_times():
    data = json.loads(run("ridge", "times", "--n", "40", "--m", "30", "--lam", "1e-2",
                          "--seeds", "1").stdout)
    assert data["runs"][0]["t2"] is not None
    assert "no null space" in data["runs"][0]["notes"][0]


@pytest.mark.parametrize("args,fragment,code", [
    (["ridge", "times", "--n", "0"], "--n must be an integer >= 1, got 0", 2),
    (["ridge", "times", "--m", "-5"], "--m must be an integer >= 1, got -5", 2),
    (["ridge", "times", "--eta", "-1"], "--eta must be a finite number > 0", 2),
    (["ridge", "times", "--eps", "0"], "--eps must be a finite number > 0", 2),
    (["ridge", "times", "--c", "-0.1"], "--c must be a finite number > 0", 2),
    (["ridge", "times", "--nu2", "-1"], "--nu2 must be a finite number >= 0", 2),
    (["ridge", "times", "--lam=-1e-4"], "--lam must be a finite number >= 0", 2),
    # argparse alone reads "-1e-4" as an option ("expected one argument")
    (["ridge", "times", "--lam", "-1e-4"], "--lam must be a finite number >= 0, got -1e-4", 2),
    (["ridge", "times", "--nu2", "-1e0"], "--nu2 must be a finite number >= 0, got -1e0", 2),
    (["ridge", "times", "--lam", "-inf"], "--lam must be a finite number >= 0", 2),
    (["ridge", "times", "--delta", "2"], "--delta must be a finite number > 0 and < 1", 2),
    (["ridge", "times", "--eta", "1000"], "diverge", 1),
    (["ridge", "times", "--seeds", "abc"], "--seeds", 2),
    (["ridge", "times", "--lam", "abc"], "--lam must be a finite number >= 0, got 'abc'", 2),
    (["ridge", "times", "--method", "sgd"], "invalid choice", 2),
    (["ridge", "times", "--horizon", "1.5", "--method", "gd"], "--horizon must be an integer", 2),
    (["ridge"], "choose a verb", 2),
    (["nonsense"], "invalid choice", 2),
])
def test_errors_are_one_line_without_traceback(args, fragment, code):
    proc = run(*args, expect=code)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert fragment in lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_curves_contract():
    data = json.loads(run("ridge", "curves", "--n", "20", "--m", "200", "--lam", "1e-3",
                          "--points", "50").stdout)
    steps = data["steps"]
    assert steps[0] == 0 and steps == sorted(set(steps))
    r = data["runs"][0]
    assert len(r["train_loss"]) == len(steps) == len(r["population_loss"])
    # the curves cover t2 and agree with its definition min{t : L(t) <= c}, c = 0.01
    assert steps[-1] > r["t2"]
    assert all(loss > 0.01 for t, loss in zip(steps, r["population_loss"]) if t < r["t2"])
    assert any(loss <= 0.01 for t, loss in zip(steps, r["population_loss"]) if t >= r["t2"])
    assert data["config"]["parameters"]["points"] == 50
