"""grokking-theory: closed-form, symbolic and numeric theories of grokking.

The ``theory`` package holds the predictions; it never imports ``validation``
(the simulations that check them).  Importing ``theory`` is cheap: the
sub-packages (``theory.ridge``, ...) are imported on demand and the symbolic
layers import sympy only when used.
"""

from theory._version import __version__

__all__ = ["__version__"]
