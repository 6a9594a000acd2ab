"""The three symbolic layers share one numeric() and one to_latex() (theory._symbolic)."""

import math

import pytest
import sympy as sp

from theory.adaptive_kernel import symbolic as K
from theory.effective import symbolic as E
from theory.ridge import symbolic as R


@pytest.mark.parametrize("mod", [R, K, E])
def test_numeric_keeps_log1p_digits_and_takes_both_call_styles(mod):
    x, y = sp.symbols("x y", positive=True)
    f = mod.numeric(sp.log(1 - x) / y)
    tiny = 1e-18
    # naive log(1 - 1e-18) is exactly 0 in float64; the true value is -1e-18
    expected = math.log1p(-tiny) / 3.0
    assert float(f(x=tiny, y=3.0)) == pytest.approx(expected, rel=1e-15)
    assert float(f(*(tiny if n == "x" else 3.0 for n in f.args))) == float(f(x=tiny, y=3.0))
    with pytest.raises(TypeError, match="missing"):
        f(x=tiny)


@pytest.mark.parametrize("mod", [R, K, E])
@pytest.mark.parametrize("bad", [None, "x + 1", 2.5, [sp.Symbol("x")]])
def test_numeric_refuses_what_is_not_an_expression(mod, bad):
    # a string is not sympified (that would evaluate it); a float has nothing to convert
    with pytest.raises(TypeError, match="expr must be a sympy expression"):
        mod.numeric(bad)


def test_to_latex_uses_each_papers_notation():
    assert R.to_latex(R.SYMBOLS.lam) == r"\lambda"
    assert K.to_latex(K.SYMBOLS.sigma_w2) == r"\sigma_w^2"
    assert E.to_latex(E.Z0 * E.t) == "Z_{0} t"
    # caller's names override the module's
    assert R.to_latex(R.SYMBOLS.lam, symbol_names={R.SYMBOLS.lam: "L"}) == "L"
