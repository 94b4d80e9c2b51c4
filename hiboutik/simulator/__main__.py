import sys

from hiboutik.simulator.cli import main

sys.exit(main())
