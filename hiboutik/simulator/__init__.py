"""A faithful fake of the Hiboutik REST API, for demos, tests and benchmarks.

Standard library plus ``requests`` only: no Django import anywhere in this package.
"""

from hiboutik.simulator.simulator import Simulator

__all__ = ["Simulator"]
