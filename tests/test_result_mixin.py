"""One ``to_dict`` (theory._result.ResultMixin) for the result dataclasses.

The reference is the hand-written ``to_dict`` each class had before the
mixin (kept here verbatim as ``_old_*``): the strict JSON the CLI prints,
``json.dumps(jsonable(d), indent=2, allow_nan=False)``, must be byte-identical.
"""

import json
from dataclasses import asdict

import numpy as np
import pytest

from theory._json import jsonable


def _emit(d):
    """What the CLI writes for a result dict."""
    return json.dumps(jsonable(d), indent=2, allow_nan=False)


# -- the previous implementations --------------------------------------------------------
def _old_simple(self):
    return jsonable(asdict(self))


def _old_grokking_times(self):
    out = asdict(self)
    out["notes"] = list(self.notes)
    return out


def _old_bound(self):
    out = jsonable(asdict(self))
    out["conditions"] = list(self.conditions)
    out["failed"] = list(self.failed)
    return out


def _old_bounds_report(self):
    out = {name: _old_bound(b) for name, b in self.bounds().items()}
    out["conditions"] = {k: _old_simple(c) for k, c in self.conditions.items()}
    out["inputs"] = jsonable(dict(self.inputs))
    return out


def _old_control(self):
    out = asdict(self)
    out["notes"] = list(self.notes)
    for k in ("t2_point_estimate",):
        if not np.isfinite(out[k]):
            out[k] = None
    return out


def _old_critical(self):
    # + the Wilson interval (ci_low, ci_high) that was added with the mixin
    return {
        "train_size": self.train_size, "fraction": self.fraction,
        "p_forced": self.p_forced, "stderr": self.stderr,
        "ci_low": self.ci_low, "ci_high": self.ci_high, "exact": self.exact,
        "n_evaluated": self.n_evaluated, "lambda3_median": self.lambda3_median,
        "lambda3_q25": self.lambda3_q25, "lambda3_q75": self.lambda3_q75,
        "r_half": self.r_half,
    }


def _old_task(self):
    return {"p": self.p, "modular": self.modular, "n_samples": self.n_samples,
            "n_classes": self.n_classes, "n_parallelograms": self.n_parallelograms}


def _old_split(self):
    return {"train_size": self.train_size, "fraction": self.fraction, "seed": self.seed,
            "train_pairs": self.train_pairs.tolist()}


def _old_structure(self):
    return {
        "n0": self.n0, "forced": self.forced,
        "n_parallelograms_train": self.n_parallelograms_train,
        "lambda3": self.lambda3, "n_h": self.n_h,
        "rqi_bar": self.rqi_bar, "acc_bar": self.acc_bar, "acc_bar_test": self.acc_bar_test,
        "hessian_eigenvalues": self.hessian_eigenvalues.tolist(),
        "train_size": self.split.train_size, "fraction": self.split.fraction,
    }


def _old_phase_definition(self):
    d = asdict(self)
    d["rule"] = ("comprehension: train and val reach acc_threshold, val at most `lag` steps "
                 "after train; grokking: val more than `lag` steps after train; "
                 "memorization: train reached, val never; confusion: train never reached "
                 "(even if val was); steps are counted within `budget`")
    return d


def _old_phase_diagram(self):
    out = {k: getattr(self, k) for k in ("sigma2", "u", "kappa", "phase", "b", "c", "p",
                                          "q_star", "linear_learned", "cubic_learned",
                                          "test_error")}
    out["critical"] = _old_simple(self.critical)
    return jsonable(out)


def _old_finite_data(self):
    return jsonable({"n": self.t.size, "iterations": self.iterations,
                     "converged": self.converged, "residual": self.residual, "ess": self.ess})


# -- instances -----------------------------------------------------------------------------
def _ridge():
    from theory.ridge import bounds_report, control_report, grokking_times, sample_problem

    prob = sample_problem(n=20, m=200, seed=0)
    kw = dict(lam=1e-3, eta=0.5, eps=0.01, c=0.01)
    return [(grokking_times(prob, **kw), _old_grokking_times),
            (grokking_times(prob, lam=0.0, eta=1.0, eps=0.01, c=0.01), _old_grokking_times),
            (bounds_report(prob, warn=False, **kw), _old_bounds_report),
            (control_report(prob, **kw), _old_control)]


def _effective():
    from theory.effective import ArithmeticTask
    from theory.effective.phases import PhaseDefinition
    from theory.effective.structure import analyze_split
    from theory.effective.task import random_split

    task = ArithmeticTask(5)
    split = random_split(task, 8, seed=1)
    return [(task, _old_task), (split, _old_split), (analyze_split(split), _old_structure),
            (PhaseDefinition(), _old_phase_definition)]


def _critical():
    from theory.effective import ArithmeticTask, critical_curve

    return [(critical_curve(ArithmeticTask(4)), _old_critical),
            (critical_curve(ArithmeticTask(6), train_sizes=[4, 8], trials=50), _old_critical)]


def _spectral():
    from theory.spectral.hjorth import hjorth_time
    from theory.spectral.predictor import SpectralConfig, evaluate, fit_predictor, window_features
    from theory.spectral.roc import bootstrap_auroc_ci, fit_threshold

    rng = np.random.default_rng(0)
    t = np.arange(400)
    curves = [np.exp(-t / 100) + (0.05 if k % 2 else 0.01) * rng.normal(size=t.size)
              for k in range(12)]
    labels = np.array([k % 2 for k in range(12)])
    scores = rng.normal(size=30) + np.arange(30) % 2
    lab = np.arange(30) % 2
    pred = fit_predictor(curves, labels)
    return [(SpectralConfig(), _old_simple), (window_features(curves[0]), _old_simple),
            (hjorth_time(curves[0]), _old_simple), (pred, _old_simple),
            (fit_threshold(scores, lab), _old_simple),
            (bootstrap_auroc_ci(scores, lab, n_boot=50), _old_simple),
            (evaluate(pred, [pred.score(c) for c in curves], labels, n_boot=50), _old_simple)]


def _kernel():
    from theory.adaptive_kernel.finite_data import adaptive_kernel_loop
    from theory.adaptive_kernel.model_a import (
        BASE_MODEL_A,
        critical_point,
        gfl_solution,
        phase_diagram,
        phase_point,
    )
    from theory.adaptive_kernel.model_b import (
        BASE_MODEL_B,
        self_consistent_a,
        self_consistent_curve,
        thresholds,
    )

    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3))
    crit = critical_point(BASE_MODEL_A)
    return [(BASE_MODEL_B, _old_simple), (self_consistent_a(BASE_MODEL_B, 0.2), _old_simple),
            (self_consistent_curve(sigma2=[0.15, 0.25]), _old_simple),
            (thresholds(), _old_simple), (BASE_MODEL_A, _old_simple),
            (gfl_solution(BASE_MODEL_A, 0.3), _old_simple), (crit, _old_simple),
            (phase_point(BASE_MODEL_A, 0.2, crit), _old_simple),
            (phase_diagram(BASE_MODEL_A, [0.15, 0.3]), _old_phase_diagram),
            (adaptive_kernel_loop(x, x[:, 0], 0.1, 1.0, 1.0, N=1e12, n_samples=200),
             _old_finite_data)]


@pytest.mark.parametrize("build", [_ridge, _effective, _critical, _spectral, _kernel])
def test_to_dict_is_byte_identical_to_the_previous_implementation(build):
    for obj, old in build():
        assert _emit(obj.to_dict()) == _emit(old(obj)), type(obj).__name__


def test_to_dict_is_strict_json():
    from theory.ridge import control_report, sample_problem

    rep = control_report(sample_problem(n=20, m=200, seed=0), lam=1e-3, eta=0.5, eps=0.01,
                         c=0.01)
    d = rep.to_dict()
    json.dumps(d, allow_nan=False)                     # no inf/NaN, no numpy scalars left
    assert isinstance(d["notes"], list)
