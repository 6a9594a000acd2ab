"""``grokking reproduce``: verdicts computed from their numbers, the cache, the reports.

The runner is exercised on a stand-in job (tests/_reproduce_fake.py, a real
figure and report in a fraction of a second); the theory rows on validation
reports written by hand, whose expected verdicts follow from the rules'
formulas.  The real jobs run in CI's ``grokking reproduce --quick`` step and in
the slow test at the end.
"""

import json
import os
import re
from dataclasses import replace

import _reproduce_fake as fake
import pytest

from validation.reproduce import JOBS, reproduce
from validation.reproduce.render import fmt_number
from validation.reproduce.rows import effective_rows, kernel_rows, ridge_rows, spectral_rows
from validation.reproduce.verdicts import VerdictRow, decide


# ----------------------------------------------------------------------------- the rules
def _rule(rule, t, m, tol):
    """The rules as the report states them (an independent transcription)."""
    return {"abs": abs(m - t) <= tol, "at_most": m <= t + tol, "at_least": m >= t - tol,
            "above": m > t + tol}[rule]


@pytest.mark.parametrize("rule,t,m,tol,expected", [
    ("abs", -1.0, -1.0005, 1e-3, "agree"), ("abs", -1.0, -1.0015, 1e-3, "outside tolerance"),
    ("abs", 0.2, 0.25, 0.05, "agree"),                  # the boundary counts as agreement
    ("at_most", 0, 0, 0, "agree"), ("at_most", 0, 1, 0, "outside tolerance"),
    ("at_least", 0.0, -0.04, 0.05, "agree"), ("at_least", 0.0, -0.06, 0.05, "outside tolerance"),
    ("above", 0.5, 0.6, 0.05, "agree"), ("above", 0.5, 0.55, 0.05, "outside tolerance"),
    ("abs", 1.0, None, 0.1, "undecided"), ("abs", 1.0, float("nan"), 0.1, "undecided"),
    ("at_most", 0, 3, None, "undecided"),
])
def test_decide_follows_the_stated_rules(rule, t, m, tol, expected):
    assert decide(rule, t, m, tol) == expected


def test_decide_rejects_an_unknown_rule():
    with pytest.raises(ValueError, match="rule must be one of"):
        decide("close", 1, 1, 1)
    with pytest.raises(ValueError, match="rule must be one of"):
        VerdictRow("x", "k", "p", 1, 1, 1, rule="close")


def _flip_tolerance(rule, t, m):
    """The tolerance at which the rule's outcome changes, derived from the formulas."""
    return {"abs": abs(m - t), "at_most": m - t, "at_least": t - m, "above": m - t}[rule]


def _assert_flips(row):
    """Moving the tolerance across its threshold flips the row's verdict."""
    t, m = row.theory_value, row.measured
    edge = _flip_tolerance(row.rule, t, m)
    step = 1e-9 * max(1.0, abs(edge))
    tight, loose = edge - step, edge + step
    if row.rule == "above":          # agree needs m > t + tol: a smaller tolerance agrees
        tight, loose = loose, tight
    assert replace(row, tolerance=loose).verdict == "agree", row
    assert replace(row, tolerance=tight).verdict == "outside tolerance", row


# ----------------------------------------------------------------------------- theory rows
RIDGE_REPORT = {
    "agreement": {"gd_runs": 40, "t1_equal": 40, "t2_equal": 39},
    "curves": {"max_rel_dev": {"train": 2e-13, "test": 5e-13},
               "edge_cases_max_rel_dev": {"train": 1e-13}, "rtol": 1e-9, "steps_compared": 100},
    "slopes": {"t2_vs_lam": -1.000138, "t2_vs_eta": -1.0021, "tolerance": 1e-3,
               "max_eta_lam": 2 ** -10},
    "bounds_grid": {"bounds": {"a": {"checked": 60}, "b": {"checked": 40}},
                    "total_violations": 2, "settings": [{}] * 20},
    "thm41": {"points": 100, "held": {"train_upper": 95, "test_lower": 100, "norm_upper": 100},
              "excluded_gd_train_points": 5, "failure_probability_max": 1e-5},
}


def test_ridge_rows_read_the_report():
    rows = {r.key: r for r in ridge_rows(RIDGE_REPORT)}
    assert rows["ridge_t1_gd_vs_closed_form"].measured == 0
    assert rows["ridge_t1_gd_vs_closed_form"].verdict == "agree"
    assert rows["ridge_t2_gd_vs_closed_form"].measured == 1           # 40 - 39
    assert rows["ridge_t2_gd_vs_closed_form"].verdict == "outside tolerance"
    assert rows["ridge_loss_curves_rel_dev"].measured == 5e-13
    assert rows["ridge_slope_t2_lam"].verdict == "agree"              # |-1.000138 + 1| < 1e-3
    assert rows["ridge_slope_t2_eta"].verdict == "outside tolerance"  # 0.0021 > 1e-3
    assert rows["ridge_bound_violations"].measured == pytest.approx(0.02)   # 2 of 100
    assert rows["ridge_bound_violations"].verdict == "agree"          # <= delta = 0.05
    assert rows["ridge_thm41_envelopes"].measured == 0                 # excluded points skipped
    for r in rows.values():
        _assert_flips(r)


def test_rows_of_a_job_that_did_not_run_say_not_run():
    from validation.reproduce.rows import phase_rows

    for fn in (ridge_rows, effective_rows, kernel_rows, spectral_rows, phase_rows):
        rows = fn(None)
        assert rows and all(r.verdict == "not run" for r in rows)
        assert all(r.reason == "the job was not run" for r in rows)


def test_missing_numbers_are_undecided_not_false():
    rows = ridge_rows({"agreement": {}})
    assert {r.verdict for r in rows} == {"undecided"}
    assert all("missing" in r.reason for r in rows)


def _kernel_report(datasets, gaps=(1.0,), betas=(0.125,)):
    sizes = {}
    for beta in betas:
        sizes[f"beta={beta:g}"] = {
            "per_sigma2": [{"sigma2": 0.1, "cubic_sim": -0.0445, "cubic_se": 0.0018,
                            "cubic_finite_d": -0.0503, "linear_sim": 0.889, "linear_se": 0.02,
                            "linear_finite_d": 0.879},
                           {"sigma2": 0.3, "cubic_sim": -0.0094, "cubic_se": 0.0006,
                            "cubic_finite_d": -0.0091, "linear_sim": 0.529, "linear_se": 0.02,
                            "linear_finite_d": 0.522}],
            "transition": {"onset_simulation": 0.215 if beta == 0.125 else 0.288,
                           "onset_simulation_se": 0.004 if beta == 0.125 else 0.010,
                           "onset_finite_d_theory": 0.201, "sigma2_c_scaling_limit": 0.178,
                           "gap_simulation_minus_sigma2_c": 0.037 if beta == 0.125 else 0.11},
            "hysteresis": {"max_abs_gap_in_se": max(gaps), "config": {"chains": 4}}}
    return {"model_a": sizes, "config": {"profile_settings": {"datasets": datasets}}}


def test_kernel_rows_use_standard_errors_and_refuse_two_sets():
    rows = {r.key: r for r in kernel_rows(_kernel_report(8, betas=(0.03125, 0.125)))}
    onset = rows["kernel_onset_vs_finite_d"]
    assert onset.tolerance == pytest.approx(0.008)      # 2 SE
    assert onset.verdict == "outside tolerance"          # |0.215 - 0.201| = 0.014
    assert rows["kernel_cubic_vs_finite_d"].measured == pytest.approx(0.0058 / 0.0018)
    assert rows["kernel_cubic_vs_finite_d"].verdict == "outside tolerance"    # 3.2 > 3
    assert rows["kernel_linear_vs_finite_d"].verdict == "agree"                # 0.5 SE
    assert rows["kernel_no_hysteresis"].verdict == "agree"
    shift = rows["kernel_finite_size_shift"]
    assert shift.measured == pytest.approx(0.11 - 0.037)
    assert shift.verdict == "agree"                      # 0.073 > 2 * hypot(0.004, 0.010)
    for r in rows.values():
        if r.ran:
            _assert_flips(r)
    assert rows["kernel_model_b_onset"].verdict == "not run"      # no Model B Langevin yet
    assert "not part of this version" in rows["kernel_model_b_onset"].reason
    mb = {"model_b_onset_simulation": 0.231, "model_b_onset_simulation_se": 0.002,
          "model_b_onset_theory": 0.236}
    row = {r.key: r for r in kernel_rows({**_kernel_report(8), "manifest_summary": mb})}[
        "kernel_model_b_onset"]
    assert row.tolerance == pytest.approx(0.004)
    assert row.verdict == "outside tolerance"                     # 0.005 > 2 SE
    _assert_flips(row)
    two = {r.key: r for r in kernel_rows(_kernel_report(2))}
    assert two["kernel_onset_vs_finite_d"].verdict == "undecided"
    assert "2 training sets" in two["kernel_onset_vs_finite_d"].reason
    assert two["kernel_finite_size_shift"].verdict == "undecided"
    assert two["kernel_cubic_vs_finite_d"].verdict == "undecided"     # z from 2 sets: no
    assert two["kernel_cubic_vs_finite_d"].measured is None


def _spectral_report(n_pos):
    def score(est, low, high):
        return {"estimate": est, "low": low, "high": high}
    auroc = {"activity": score(0.8, 0.65, 0.92), "early": score(0.85, 0.7, 0.95),
             "loss_at_end": score(0.7, 0.5, 0.85), "final_slope": score(0.78, 0.6, 0.9),
             "_differences": {"reference": "early",
                              "loss_at_end": {"estimate": 0.15, "low": 0.02, "high": 0.3},
                              "final_slope": {"estimate": 0.07, "low": -0.05, "high": 0.2},
                              "activity": {"estimate": 0.05, "low": -0.1, "high": 0.2}}}
    fam = {"n_runs": 60, "n_generalize": n_pos, "auroc": auroc}
    return {"families": {"modular": fam, "toy": fam},
            "config": {"evaluation": {f: {"baselines": {"loss_at_end": "", "final_slope": "",
                                                         "activity": ""}}
                                      for f in ("modular", "toy")}}}


def test_spectral_rows_need_enough_positives_for_an_auroc():
    rows = {r.key: r for r in spectral_rows(_spectral_report(12))}
    act = rows["spectral_activity_modular"]
    assert act.tolerance == pytest.approx(0.15)          # estimate - CI low
    assert act.verdict == "agree"                          # 0.8 > 0.5 + 0.15
    assert rows["spectral_early_toy"].verdict == "agree"
    best = rows["spectral_early_vs_baseline_modular"]
    assert best.measured == pytest.approx(0.07)            # the closest baseline: final_slope
    assert best.tolerance == pytest.approx(0.12)           # its difference's lower half-width
    assert best.verdict == "agree"                         # 0.07 >= -0.12
    for r in rows.values():
        _assert_flips(r)
    one = {r.key: r for r in spectral_rows(_spectral_report(1))}
    assert one["spectral_early_modular"].verdict == "undecided"
    assert "1 generalize" in one["spectral_early_modular"].reason
    assert one["spectral_early_vs_baseline_toy"].verdict == "undecided"


def test_effective_rows_tolerances_from_counts():
    report = {"acc_vs_acc_hat": {"mean_abs_gap": 0.005, "max_abs_gap": 0.07, "runs": 54},
              "config": {"n_samples": 55, "toy": {"steps": 10000}},
              "steps_to_rqi": {"median_ratio_iter_rqi_over_n_h": 1.85,
                               "log_correlation_n_h_vs_iter_rqi": 0.7, "n_runs_correlation": 28},
              "critical_fraction": {"r_half_theory": 0.408, "r_half_network": None,
                                    "r_half_network_reason": "stays below 1/2"}}
    rows = {r.key: r for r in effective_rows(report)}
    assert rows["effective_acc_vs_acc_hat"].tolerance == pytest.approx(1 / 55)
    assert rows["effective_acc_vs_acc_hat"].verdict == "agree"
    assert rows["effective_steps_over_n_h"].verdict == "agree"       # 1.85 in [1, 3]
    corr = rows["effective_log_corr_n_h"]
    assert corr.tolerance == pytest.approx(0.3799, abs=1e-3)         # tanh(2 / 5)
    assert corr.verdict == "agree"
    assert rows["effective_r_half"].verdict == "undecided"
    assert rows["effective_r_half"].reason == "stays below 1/2"


# ----------------------------------------------------------------------------- the runner
@pytest.fixture
def fake_job():
    fake.CALLS.clear()
    fake.FAIL.clear()
    saved = {k: dict(v) for k, v in fake.PROFILES.items()}
    yield fake
    fake.PROFILES.update(saved)
    fake.FAIL.clear()


def _run(out, **kw):
    lines = []
    res = reproduce(out, jobs=(fake.job("demo"), fake.job("other")), log=lines.append, **kw)
    return res, lines


def test_reproduce_writes_reports_and_caches(tmp_path, fake_job):
    out = str(tmp_path / "res")
    res, lines = _run(out)
    assert fake.CALLS == [(".partial-demo", "standard"), (".partial-other", "standard")]
    for name in ("summary.json", "report.md", "report.html", "demo/fig_demo.png",
                 "demo/fig_demo.pdf", "demo/fig_demo.json", "other/demo_report.json"):
        assert os.path.exists(os.path.join(out, name)), name
    assert not [f for f in os.listdir(out) if f.startswith(".partial")]
    summary = json.load(open(os.path.join(out, "summary.json")))
    assert summary["theories"]["demo"]["status"] == "ran"
    assert summary["theories"]["demo"]["files"]["validation_report"] == "demo/demo_report.json"
    assert [v["verdict"] for v in summary["verdicts"]] == ["agree", "agree"] * 2  # 0.98
    assert lines[0].startswith("reproduce: profile default, 2 of 2 jobs to run")
    assert any("demo: started" in ln for ln in lines)
    assert any(re.search(r"demo: finished in [\d.]+ s \(CPU", ln) for ln in lines)

    res2, lines2 = _run(out)                                 # unchanged: all cached
    assert len(fake.CALLS) == 2
    assert res2["summary"]["theories"]["demo"]["status"] == "cached"
    assert "0 of 2 jobs to run" in lines2[0]
    # a cached job still reports what its last computation cost (a job's own wall
    # times, like the real jobs' summary "seconds", must not overwrite that record)
    assert any(re.search(r"demo: cached.*computed in [\d.]+ s", ln) for ln in lines2), lines2
    assert re.search(r"computed in \d+ s wall", open(os.path.join(out, "report.md")).read())

    fake.PROFILES["standard"] = {"measured": 0.5, "points": 4}   # the settings changed
    res3, _ = _run(out, only=["demo"])
    assert fake.CALLS[2:] == [(".partial-demo", "standard")]      # "other" is not recomputed
    st = res3["summary"]["theories"]
    assert st["demo"]["status"] == "ran"
    assert st["other"]["status"] == "not run"           # its key changed too: no stale result
    verdicts = [v["verdict"] for v in res3["summary"]["verdicts"]]
    assert verdicts == ["outside tolerance", "outside tolerance", "not run", "not run"]

    _run(out, only=["demo"], use_cache=False)              # --no-cache recomputes
    assert len(fake.CALLS) == 4


def test_same_jobs_give_byte_identical_json(tmp_path, fake_job):
    """summary.json and the cache entries carry no wall times (they go to the reports)."""
    outs = [str(tmp_path / "a"), str(tmp_path / "b")]
    for out in outs:
        _run(out)
    for name in ("summary.json", ".cache/demo.json", ".cache/other.json"):
        a, b = (open(os.path.join(o, name), "rb").read() for o in outs)
        assert a == b, name
    assert re.search(r"computed in \d+ s wall", open(os.path.join(outs[0], "report.md")).read())


def test_cache_misses_when_a_file_is_gone(tmp_path, fake_job):
    out = str(tmp_path / "res")
    _run(out)
    os.remove(os.path.join(out, "demo", "fig_demo.pdf"))
    res, _ = _run(out)
    assert res["summary"]["theories"]["demo"]["status"] == "ran"
    assert res["summary"]["theories"]["other"]["status"] == "cached"


def test_a_failing_job_is_reported_and_keeps_old_outputs(tmp_path, fake_job):
    out = str(tmp_path / "res")
    _run(out)
    before = open(os.path.join(out, "demo", "demo_report.json")).read()
    fake.PROFILES["standard"] = {"measured": 0.1, "points": 2}
    fake.FAIL["error"] = RuntimeError("solver diverged")
    res, lines = _run(out)
    assert set(res["failed"]) == {"demo", "other"}
    assert "solver diverged" in res["failed"]["demo"]
    assert any("demo: FAILED (RuntimeError: solver diverged)" in ln for ln in lines)
    rows = res["summary"]["verdicts"]
    assert {r["verdict"] for r in rows} == {"not run"}
    assert "the job failed: RuntimeError: solver diverged" in rows[0]["reason"]
    assert open(os.path.join(out, "demo", "demo_report.json")).read() == before


def test_an_interrupted_job_leaves_the_previous_outputs(tmp_path, fake_job):
    out = str(tmp_path / "res")
    _run(out)
    before = open(os.path.join(out, "demo", "demo_report.json")).read()
    fake.PROFILES["standard"] = {"measured": 0.1, "points": 2}
    fake.FAIL["error"] = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        _run(out)
    assert open(os.path.join(out, "demo", "demo_report.json")).read() == before
    fake.FAIL.clear()
    res, _ = _run(out)                         # the next run finishes the job
    assert res["summary"]["theories"]["demo"]["status"] == "ran"
    assert json.load(open(os.path.join(out, "demo", "demo_report.json")))["measured"] == 0.1


def test_a_job_whose_module_is_missing_shows_not_run(tmp_path, fake_job):
    from dataclasses import replace as _replace

    absent = _replace(fake.job("later"), module="validation.no_such_phase_diagram")
    res = reproduce(str(tmp_path), jobs=(fake.job("demo"), absent))
    st = res["summary"]["theories"]
    assert st["demo"]["status"] == "ran" and st["later"]["status"] == "not available"
    later = [r for r in res["summary"]["verdicts"] if r["theory"] == "later"]
    assert [r["verdict"] for r in later] == ["not run", "not run"]
    assert "validation.no_such_phase_diagram is not part of this installation" in \
        later[0]["reason"]
    assert not res["failed"]


def test_unknown_jobs_and_profiles_are_refused(tmp_path, fake_job):
    with pytest.raises(ValueError, match="only: unknown job"):
        _run(str(tmp_path), only=["nonsense"])
    with pytest.raises(ValueError, match="profile must be one of"):
        _run(str(tmp_path), profile="huge")


# ----------------------------------------------------------------------------- the report
def _markdown_rows(text):
    """(theory t, measured m, rule, tol, verdict) of every verdict-table row."""
    pattern = re.compile(r"^\| \d+\.\d+ \| .*? \| (\S+) \| (\S+) \| (.+?) \| ([a-z ]+) \|$")
    forms = [(re.compile(r"^\\\|m - t\\\| <= (\S+)$"), "abs"),
             (re.compile(r"^m <= t \+ (\S+)$"), "at_most"),
             (re.compile(r"^m >= t - (\S+)$"), "at_least"),
             (re.compile(r"^m > t \+ (\S+)$"), "above")]
    rows = []
    for line in text.splitlines():
        m = pattern.match(line)
        if not m:
            continue
        t, meas, tol_text, verdict = m.groups()
        for rx, rule in forms:
            hit = rx.match(tol_text)
            if hit:
                rows.append((t, meas, rule, hit.group(1), verdict))
                break
        else:
            raise AssertionError(f"tolerance cell not understood: {tol_text!r}")
    return rows


def _check_markdown(text, expected_rows):
    rows = _markdown_rows(text)
    assert len(rows) == expected_rows
    for t, m, rule, tol, verdict in rows:
        if "n/a" in (t, m, tol):
            assert verdict in ("undecided", "not run")
            continue
        if verdict == "not run":
            continue
        want = "agree" if _rule(rule, float(t), float(m), float(tol)) else "outside tolerance"
        assert verdict == want, (t, m, rule, tol, verdict)


def test_report_md_verdicts_follow_from_the_printed_numbers(tmp_path, fake_job):
    out = str(tmp_path / "res")
    fake.PROFILES["standard"] = {"measured": 0.93, "points": 4}
    _run(out)
    text = open(os.path.join(out, "report.md")).read()
    _check_markdown(text, 4)
    assert "| 1.1 | demo equals 1 | 1 | 0.93 | \\|m - t\\| <= 0.05 | outside tolerance |" in text
    assert "| 1.2 | demo above 0.9 | 0.9 | 0.93 | m > t + 0 | agree |" in text
    assert "![Demo figure (reduced profile" not in text            # default profile: no note
    assert "(demo/fig_demo.png)" in text and "(demo/fig_demo.pdf)" in text


def test_report_html_is_offline_and_relative(tmp_path, fake_job):
    out = str(tmp_path / "res")
    _run(out, profile="quick")
    page = open(os.path.join(out, "report.html")).read()
    assert "<script" not in page and "http://" not in page and "https://" not in page
    srcs = re.findall(r'<img src="([^"]+)"', page)
    assert srcs == ["demo/fig_demo.png", "other/fig_demo.png"]
    assert all(os.path.exists(os.path.join(out, s)) for s in srcs)
    assert "reduced profile: three points only" in page
    assert page.count("<tr id=") == 4


def test_printed_numbers_keep_enough_digits():
    # a slope 1.4e-4 from -1 inside a 1e-3 tolerance must stay visible
    assert fmt_number(-1.000138) == "-1.00014" and fmt_number(1e-9) == "1e-09"


def test_jobs_have_estimates_for_every_profile_and_a_standard_settings_entry():
    for job in JOBS:
        assert set(job.estimate_s) == {"quick", "default", "full"}
        for profile in ("quick", "default", "full"):
            assert isinstance(job.profile_settings(profile), dict)
    assert sum(j.estimate_s["default"] for j in JOBS) <= 15 * 60


def test_real_report_verdicts_follow_from_the_printed_numbers():
    """On the output of a real ``grokking reproduce`` (CI sets GROKKING_REPORT_DIR)."""
    out = os.environ.get("GROKKING_REPORT_DIR")
    if not out:
        pytest.skip("set GROKKING_REPORT_DIR to a grokking reproduce output (CI does)")
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as fh:
        summary = json.load(fh)
    rows = summary["verdicts"]
    assert len(rows) >= 12
    with open(os.path.join(out, "report.md"), encoding="utf-8") as fh:
        _check_markdown(fh.read(), len(rows))
    for r in rows:                       # the JSON's verdict is the rule applied to its numbers
        if r["verdict"] in ("agree", "outside tolerance"):
            ok = _rule(r["rule"], r["theory_value"], r["measured"], r["tolerance"])
            assert r["verdict"] == ("agree" if ok else "outside tolerance"), r
            row = VerdictRow(**{k: r[k] for k in VerdictRow.__dataclass_fields__})
            _assert_flips(row)


# ----------------------------------------------------------------------------- the CLI
def _cli(*args):
    import shutil
    import subprocess
    import sys

    script = shutil.which("grokking", path=os.path.dirname(sys.executable)) or "grokking"
    return subprocess.run([script, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args,message", [
    (("--only", "ridge,nonsense"), "--only must be a comma-separated list of ridge, effective"),
    (("--quick", "--full"), "not allowed with argument"),
    (("--quiet", "--progress"), "not allowed with argument"),
])
def test_cli_refuses_bad_flags(tmp_path, args, message):
    for verb in (("reproduce",), ("all", "figures")):        # the alias takes the same flags
        proc = _cli(*verb, "--out", str(tmp_path / "r"), *args)
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not os.path.exists(tmp_path / "r")


def test_phase_rows_count_phases_and_certified_violations():
    from validation.reproduce.phase_job import ridge_certified_check
    from validation.reproduce.rows import phase_rows

    cells = [{"certified": True, "grokking_time": 900, "t2_lower_eq8": 1000.0,
              "t1_upper_eq8": 200.0}] * 19 + [
             {"certified": True, "grokking_time": 500, "t2_lower_eq8": 1000.0,
              "t1_upper_eq8": 200.0},                        # 500 < 800: a violation
             {"certified": False, "grokking_time": None}]
    ridge = ridge_certified_check(cells)
    assert (ridge["certified"], ridge["violations"]) == (20, 1)
    report = {"toy": {"table1_phases_present": 3, "cells": 25, "censored_cells": 4,
                      "counts": {}}, "ridge": ridge}
    rows = {r.key: r for r in phase_rows(report)}
    assert rows["phase_toy_four_phases"].verdict == "outside tolerance"     # 3 < 4
    assert rows["phase_ridge_certified_region"].measured == pytest.approx(0.05)
    assert rows["phase_ridge_certified_region"].verdict == "agree"          # 1/20 <= delta
    for r in rows.values():
        _assert_flips(r)
