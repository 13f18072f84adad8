"""Start a project: `python run.py CONFIG` (see `python run.py --help`)."""

import sys

from potato_like.cli import main

if __name__ == "__main__":
    sys.exit(main())
