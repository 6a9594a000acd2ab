"""CLI contract of ``grokking kernel ...``."""

import json
import math

import pytest
from test_cli import run  # tests/ is on sys.path (rootdir-less test modules)
from test_extremes import mp_model_a_critical

from theory.adaptive_kernel import (
    BASE_MODEL_A,
    BASE_MODEL_B,
    ModelAConfig,
    critical_point,
    thresholds,
)


def test_critical_contract_matches_api():
    data = json.loads(run("kernel", "critical", "--model", "cubic").stdout)
    ref = critical_point(BASE_MODEL_A)
    for key in ("u_c", "sigma2_c", "b_c", "q_star", "u_spinodal"):
        assert data[key] == pytest.approx(getattr(ref, key))
    # independent reference: the spec's closed forms solved in mpmath (50 digits)
    mp_ref = mp_model_a_critical(BASE_MODEL_A)
    assert data["u_c"] == pytest.approx(float(mp_ref["u"]), rel=1e-10)
    assert data["sigma2_c"] == pytest.approx(float(mp_ref["sigma2"]), rel=1e-10)
    assert "4/pi" in data["config"]["errata_applied"]


def test_no_transition_without_cubic_term():
    data = json.loads(run("kernel", "critical", "--eps", "0").stdout)
    assert data["first_order"] is False and data["u_c"] is None and data["reason"]


def test_modular_contract_and_prime_warning():
    data = json.loads(run("kernel", "modular").stdout)
    ref = thresholds(BASE_MODEL_B)
    for key in ("sigma2_I", "sigma2_II", "sigma2_spinodal"):
        assert data[key] == pytest.approx(getattr(ref, key))
    assert data["warnings"] == []
    assert "not prime" in json.loads(run("kernel", "modular", "--P", "400").stdout)["warnings"][0]


def test_curve_both_models():
    cubic = json.loads(run("kernel", "curve", "--points", "3").stdout)
    assert cubic["sigma2"] == [0.1, 0.2, 0.3] and cubic["phase"][-1] == "GFL"
    mod = json.loads(run("kernel", "curve", "--model", "modular", "--points", "3",
                         "--sigma2-min", "0.15", "--sigma2-max", "0.27").stdout)
    assert mod["config"]["parameters"]["N"] == 1000.0 and mod["abs_a"][-1] == 1.0


def test_bad_values():
    proc = run("kernel", "curve", "--sigma2-min", "-1", expect=2)
    assert "--sigma2-min" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_figures_quick_writes_figs_2_3_and_the_report(tmp_path):
    out = tmp_path / "kernel"
    data = json.loads(run("kernel", "figures", "--out", str(out), "--quick").stdout)
    for name in ("fig2_model_a", "fig3_model_b"):
        for ext in ("png", "pdf", "json"):
            assert (out / f"{name}.{ext}").stat().st_size > 0
    report = json.loads((out / "kernel_validation_report.json").read_text())
    tr = report["model_a"]["beta=0.125"]["transition"]
    # the scaling-limit sigma2_c of the simulated sizes (beta = 1/8 rounded: n = 375, d = 53,
    # N = 88), from the spec's closed forms in mpmath
    sim = ModelAConfig(n=375, d=53, N=88, sigma_w2=0.5, sigma_a2=8 / 700 / math.sqrt(1 / 8),
                       eps=-0.3)
    assert tr["sigma2_c_scaling_limit"] == pytest.approx(
        float(mp_model_a_critical(sim)["sigma2"]), rel=1e-10)
    assert tr["onset_simulation"] == data["figures"]["summary"]["onset_simulation"]
    cfg = data["config"]
    assert cfg["command"] == "grokking kernel figures" and cfg["version"]
    assert cfg["profile_settings"]["chains"] == 2 and "SeedSequence" in cfg["seed_streams"]
