"""Property-test registry: every public function of ``theory`` has a property test.

The public functions are enumerated from the ``__all__`` of every public module of
each theory subpackage (``theory/<sub>/<module>.py``).  Each property module
(``tests/test_properties_<sub>.py``) marks what it covers with :func:`covers`;
:func:`test_every_public_function_has_a_property_test` fails when a new public
function (or input class) has none.  Result dataclasses and exceptions, which
the library builds itself, are listed in :data:`RESULT_TYPES`.

The two properties checked for each function:

* valid inputs give finite results (no NaN or inf, except the infinities a
  docstring documents, which the individual test names) and no exception
  outside the documented ones;
* an invalid value of one parameter (wrong type, NaN, inf, out of range) gives
  a ValueError or TypeError whose message names that parameter.
"""

import dataclasses
import importlib
import inspect
import math
import pkgutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SUBPACKAGES = ("ridge", "effective", "adaptive_kernel", "spectral")
PROPERTY_MODULES = ("test_properties_ridge", "test_properties_effective",
                    "test_properties_kernel", "test_properties_spectral")

#: Result dataclasses and exceptions: constructed by the library, not from user input.
RESULT_TYPES = {
    "Bound", "BoundsReport", "Condition", "ControlReport", "DivergenceError",
    "RidgeDynamics", "Spectrum", "GrokkingTimes",
    "CriticalCurve", "EffectiveFlow", "SplitAnalysis",
    "FiniteDSolution", "AdaptiveKernelResult", "GFLSolution", "ModelACriticalPoint",
    "ModelAPhaseDiagram", "ModelAPhasePoint", "ModelBCurve", "ModelBPoint",
    "ModelBThresholds", "ModeMoments", "FinitePPoint",
    "HjorthParameters", "Evaluation", "SpectralFeatures", "AurocCI", "ThresholdFit",
    "CurvePrediction",
}

COVERED = set()


def covers(*objs):
    """Record that the decorated test is a property test of ``objs``."""
    def deco(fn):
        COVERED.update(objs)
        return fn
    return deco


def public_callables():
    """``{(module, name): object}`` for every callable in a public module's ``__all__``."""
    out = {}
    for sub in SUBPACKAGES:
        pkg = importlib.import_module(f"theory.{sub}")
        for info in pkgutil.iter_modules(pkg.__path__):
            if info.name.startswith("_"):
                continue
            mod = importlib.import_module(f"theory.{sub}.{info.name}")
            for name in getattr(mod, "__all__", ()):
                obj = getattr(mod, name)
                if callable(obj) and getattr(obj, "__module__", "") == mod.__name__:
                    out[(mod.__name__, name)] = obj
    return out


def test_every_public_function_has_a_property_test():
    for name in PROPERTY_MODULES:
        importlib.import_module(name)
    missing = sorted(f"{mod}.{name}" for (mod, name), obj in public_callables().items()
                     if obj not in COVERED
                     and not (inspect.isclass(obj) and name in RESULT_TYPES))
    assert not missing, "public functions without a property test: " + ", ".join(missing)


# ---------------------------------------------------------------------------
# checks shared by the property modules
# ---------------------------------------------------------------------------

def assert_finite(obj, path="result", allow=()):
    """No NaN or inf anywhere in ``obj`` (numbers, arrays, containers, dataclasses).

    ``allow`` lists the paths where a documented infinity may appear.
    """
    if path in allow:
        return
    if obj is None or isinstance(obj, (str, bytes, bool, np.bool_)):
        return
    if isinstance(obj, (int, np.integer)):
        return
    if isinstance(obj, (float, np.floating)):
        assert math.isfinite(obj), f"{path} = {obj}"
        return
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            assert np.all(np.isfinite(obj)), f"{path} has non-finite entries"
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            assert_finite(v, f"{path}.{k}", allow)
        return
    if isinstance(obj, (list, tuple)):
        for k, v in enumerate(obj):
            assert_finite(v, f"{path}[{k}]", allow)
        return
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            assert_finite(getattr(obj, f.name), f"{path}.{f.name}", allow)
        return


def rejects(call, name):
    """``call()`` raises ValueError/TypeError naming ``name``."""
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert name in str(info.value), f"message does not name {name!r}: {info.value}"


# strategies of bad values, by the kind of parameter
NAN, INF = float("nan"), float("inf")
BAD_TYPES = [None, "1", True, 1j, [1.0, "a"]]
bad_positive = st.sampled_from([0.0, -1.0, -1e-300, NAN, INF, -INF] + BAD_TYPES)
bad_nonnegative = st.sampled_from([-1e-3, -INF, NAN, INF] + BAD_TYPES)
bad_real = st.sampled_from([NAN, INF, -INF] + BAD_TYPES)
bad_count = st.sampled_from([0, -3, 2.5, NAN, INF, None, "3", True])
bad_choice = st.sampled_from(["bogus", 3, None, ""])
bad_unit = st.sampled_from([0.0, 1.0, 1.5, -0.2, NAN, None, "0.5"])

positive = st.floats(1e-3, 1e3)
small_positive = st.floats(1e-6, 1e-1)


def make_invalid_test(func, valid, bad, *, call=None, max_examples=30, aliases=None):
    """A property test: one parameter of a valid call replaced by a bad value is refused.

    ``valid`` draws a dict of keyword arguments; ``bad`` maps parameter names to
    strategies of bad values; ``call(**kwargs)`` defaults to ``func``; ``aliases``
    maps a parameter to the name its message uses (e.g. an element of a list).
    """
    target = call or func
    names = sorted(bad)
    aliases = aliases or {}

    @covers(func)
    @settings(max_examples=max_examples)
    @given(data=st.data())
    def test(data):
        kw = dict(data.draw(valid, label="valid"))
        name = data.draw(st.sampled_from(names), label="parameter")
        kw[name] = data.draw(bad[name], label="bad value")
        rejects(lambda: target(**kw), aliases.get(name, name))

    test.__name__ = f"test_invalid_{getattr(func, '__name__', 'call')}"
    return test


def make_valid_test(func, valid, check=None, *, call=None, max_examples=30, allow=()):
    """A property test: valid keyword arguments give a finite result (and ``check`` holds)."""
    target = call or func

    @covers(func)
    @settings(max_examples=max_examples)
    @given(data=st.data())
    def test(data):
        kw = dict(data.draw(valid, label="valid"))
        out = target(**kw)
        assert_finite(out, allow=allow)
        if check is not None:
            check(out, **kw)

    test.__name__ = f"test_valid_{getattr(func, '__name__', 'call')}"
    return test
