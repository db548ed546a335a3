"""``python -m backpain_analysis`` is the ``backpain`` command."""

import sys

from .cli import main

sys.exit(main())
