"""Allow ``python -m wfm``."""

import sys

from wfm.cli import main

sys.exit(main())
