"""Simulations that check the theories: plain-numpy gradient descent, comparisons, figures.

``validation`` depends on ``theory``; ``theory`` never imports ``validation``.
The command-line interface lives in :mod:`validation.cli`.
"""

from theory._version import __version__

__all__ = ["__version__"]
