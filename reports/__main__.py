"""`python -m reports …` (also `python -m metrics …`, its old name): the command line of reports/cli.py."""
import sys

from reports.cli import main

if __name__ == "__main__":
    sys.exit(main())
