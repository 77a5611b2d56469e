"""Seeded generators of realistic data for examples, tests and benchmarks.

- :mod:`wfm.datasets.history`: synthetic call-volume history.
- :mod:`wfm.datasets.instances`: families of weekly roster problems.
"""
