"""``python -m grokking_cli``: the same as the ``grokking`` command."""

import sys

from grokking_cli import main

sys.exit(main())
