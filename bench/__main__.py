"""`python -m bench` runs the whole bench and ends with its one-line summary."""

import sys

from bench.run import main

sys.exit(main())
