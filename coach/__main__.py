"""`python -m coach` is the same as the `facecoach` command."""

import sys

from coach.cli.main import main

sys.exit(main())
