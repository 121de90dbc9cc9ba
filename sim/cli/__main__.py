"""``python -m sim.cli``: the ``xborder`` command."""

import sys

from sim.cli.app import main

sys.exit(main())
