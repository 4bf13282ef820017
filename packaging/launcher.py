"""Entry point of the frozen build: the same as the `facecoach` command (`coach.cli.main:main`)."""

import sys

from coach.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
