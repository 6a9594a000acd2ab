"""Simulations that check the theories: plain-numpy gradient descent, comparisons, figures.

``validation`` depends on ``theory``; ``theory`` never imports ``validation``.
The command-line interface is the package :mod:`grokking_cli`, one layer above this one.
"""

from theory._version import __version__

__all__ = ["__version__"]
