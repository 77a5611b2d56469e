"""What the test modules share.

- :mod:`roster_helpers`: builders of tiny roster instances (``tiny_problem``,
  ``template``, ``contract``, ``agents``, ``requirement_frame``,
  ``hour_profile``, ``break_rule``), hand-made roster tables (``shift_rows``,
  ``roster_frames``) and ``solve_tiny``, the solve settings of small tests.
- :mod:`rule_verifier`: :class:`~rule_verifier.RuleVerifier`, which checks one
  rule unit of :mod:`wfm.roster.rules` alone across all its encodings; the
  ``verify_rule`` fixture hands one out by rule name.

This folder is put on the import path here, so the test modules import these
helpers however pytest is started.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from rule_verifier import RuleVerifier  # noqa: E402

from wfm.roster.problem import Rule  # noqa: E402


@pytest.fixture
def verify_rule() -> Callable[[str | Rule], RuleVerifier]:
    """``verify_rule("min_rest")``: the :class:`RuleVerifier` of that rule unit."""
    return RuleVerifier.of
