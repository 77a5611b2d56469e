"""Seeded generators of realistic data for examples, tests and benchmarks.

- :mod:`wfm.datasets.history`: synthetic call-volume history.
- :mod:`wfm.datasets.instances`: families of weekly roster problems.
"""

from wfm.datasets.history import synthetic_call_records, synthetic_history
from wfm.datasets.instances import InstanceSpec, family, make_problem, write_instance

__all__ = [
    "InstanceSpec",
    "family",
    "make_problem",
    "synthetic_call_records",
    "synthetic_history",
    "write_instance",
]
