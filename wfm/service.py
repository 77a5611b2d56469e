"""The service policy of a queue: what service to give, and at what shrinkage.

A :class:`ServicePolicy` is created and validated once (from the command
line, a scenario file or Python) and travels unchanged through staffing
(:func:`wfm.staffing.requirements`), the roster problem
(``RosterProblem.service``) and the report of the service a roster gives.

Vocabulary
----------
*Requirement*
    Agents needed: on the phone (from the queueing model), or scheduled
    (grossed up for shrinkage).
*Coverage*
    Agents the roster provides in an interval: scheduled (on shift, not on a
    break the roster placed), and on the phone.
*Shrinkage*
    The share of scheduled time lost to what the roster does not place itself
    (absence, training, meetings): agents on the phone = scheduled x
    (1 - shrinkage). This module holds the only code that applies it:
    :meth:`ServicePolicy.on_phone` and its inverses
    :meth:`ServicePolicy.scheduled_for` and
    :meth:`ServicePolicy.scheduled_for_fractional`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, cast

import numpy as np

from wfm.errors import ValidationError

__all__ = [
    "MODELS",
    "SCHEDULE_TOLERANCE",
    "Model",
    "ServicePolicy",
    "on_phone_agents",
    "scheduled_agents_fractional",
]

Model = Literal["erlang_c", "erlang_a"]
#: Queueing models of a :class:`ServicePolicy`.
MODELS: tuple[str, ...] = ("erlang_c", "erlang_a")

#: Slack, in agents, of the gross-up to whole scheduled agents, so that values
#: equal up to floating-point rounding are not rounded up: 14 on the phone at
#: 30 % shrinkage need 20 scheduled agents, not 21.
SCHEDULE_TOLERANCE = 1e-9


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


@dataclass(frozen=True, kw_only=True)
class ServicePolicy:
    """Service target, queueing model and shrinkage of a queue; every given target must be met.

    Parameters
    ----------
    level
        Service-level target in (0, 1): the fraction of calls answered within
        ``answer_within_seconds``. ``None`` for no service-level target.
    answer_within_seconds
        Answer-time threshold of the service level, seconds (>= 0); given
        exactly when ``level`` is.
    max_asa_seconds
        Maximum average speed of answer in seconds (> 0), or ``None``.
    max_abandon_rate
        Maximum probability that a call abandons, in (0, 1], or ``None``
        (``model="erlang_a"`` only).
    model
        ``"erlang_c"`` (callers never abandon) or ``"erlang_a"`` (callers
        abandon after an exponential patience of mean ``patience_seconds``).
        Default (``None``): ``"erlang_a"`` when ``patience_seconds`` is given,
        else ``"erlang_c"``; the resolved model is stored.
    patience_seconds
        Mean caller patience in seconds (> 0), given exactly when ``model``
        is ``"erlang_a"``.
    shrinkage
        Share of scheduled time not available for calls, in [0, 1): time lost
        to what the roster does not place itself (absence, training). Breaks
        placed by the roster are already outside its coverage and must not be
        counted here again.
    max_occupancy
        Maximum agent occupancy in (0, 1], or ``None``.

    Raises
    ------
    ValidationError
        On construction, naming the field, the value and what was expected,
        if a part is out of range, no target is given, or the targets do not
        fit the model.

    Examples
    --------
    >>> policy = ServicePolicy.parse("80%/20", shrinkage=0.3)
    >>> policy.level, policy.scheduled_for(14), policy.on_phone(20)
    (0.8, 20, 14.0)
    """

    level: float | None = 0.8
    answer_within_seconds: float | None = 20.0
    max_asa_seconds: float | None = None
    max_abandon_rate: float | None = None
    model: Model = None  # type: ignore[assignment]  # resolved in __post_init__
    patience_seconds: float | None = None
    shrinkage: float = 0.0
    max_occupancy: float | None = None

    def __post_init__(self) -> None:
        if self.model is None:
            default = "erlang_c" if self.patience_seconds is None else "erlang_a"
            object.__setattr__(self, "model", default)
        self._check_targets()
        self._check_model()
        if not (_is_number(self.shrinkage) and 0.0 <= self.shrinkage < 1.0):
            raise ValidationError("shrinkage", self.shrinkage, "a fraction in [0, 1)")
        occ = self.max_occupancy
        if occ is not None and not (_is_number(occ) and 0.0 < occ <= 1.0):
            raise ValidationError("max_occupancy", occ, "a number in (0, 1], or None")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "model" and value is not None:
                object.__setattr__(self, f.name, float(value))

    def _check_targets(self) -> None:
        level = self.level
        if level is not None and not (_is_number(level) and 0.0 < level < 1.0):
            if _is_number(level) and 1.0 < level <= 100.0:
                raise ValidationError(
                    "level", level, f"a fraction in (0, 1), e.g. {level / 100:g} for {level:g}%"
                )
            # 1.0 is out: some calls always wait, so no number of agents reaches it.
            raise ValidationError(
                "level",
                level,
                "a number in (0, 1), e.g. 0.8: no finite number of agents answers every call "
                "in time",
            )
        within = self.answer_within_seconds
        if within is not None and not (_is_number(within) and within >= 0.0):
            raise ValidationError("answer_within_seconds", within, "a number of seconds >= 0")
        if (level is None) != (within is None):
            raise ValidationError(
                "answer_within_seconds",
                within,
                "a value exactly when a service-level target is given (the target and its "
                "answer time go together)",
            )
        asa = self.max_asa_seconds
        if asa is not None and not (_is_number(asa) and asa > 0.0):
            raise ValidationError("max_asa_seconds", asa, "a number of seconds > 0, or None")
        ab = self.max_abandon_rate
        if ab is not None and not (_is_number(ab) and 0.0 < ab <= 1.0):
            raise ValidationError("max_abandon_rate", ab, "a number in (0, 1], or None")
        if level is None and asa is None and ab is None:
            raise ValidationError(
                "target", None, "at least one of level, max_asa_seconds, max_abandon_rate"
            )

    def _check_model(self) -> None:
        if self.model not in MODELS:
            raise ValidationError("model", self.model, f"one of {', '.join(MODELS)}")
        patience = self.patience_seconds
        if self.model == "erlang_a":
            if not (_is_number(patience) and cast(float, patience) > 0.0):
                raise ValidationError(
                    "patience_seconds", patience, "a number of seconds > 0 for model erlang_a"
                )
            return
        if patience is not None:
            raise ValidationError(
                "patience_seconds", patience, "None for model erlang_c (no abandonment)"
            )
        if self.max_abandon_rate is not None:
            raise ValidationError(
                "max_abandon_rate",
                self.max_abandon_rate,
                "None for model erlang_c (no abandonment); use model erlang_a",
            )

    # -- construction -------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, **other_fields: Any) -> ServicePolicy:
        """Parse ``"LEVEL/SECONDS"``, e.g. ``"0.8/20"``, ``"80%/20"`` or ``"0.9/15s"``.

        Parameters
        ----------
        text
            Service level as a fraction or a percentage with ``%``, a slash,
            and the answer time in seconds (an optional ``s`` suffix).
        **other_fields
            The other fields of the policy (``shrinkage``, ``model``, ...).

        Returns
        -------
        ServicePolicy
            With ``level`` and ``answer_within_seconds`` from ``text``.

        Raises
        ------
        ValidationError
            If the text does not have that form or a value is out of range.
        """
        expected = "LEVEL/SECONDS such as 0.8/20 or 80%/20"
        if not isinstance(text, str):
            raise ValidationError("target", text, expected)
        match = re.fullmatch(r"\s*([0-9.]+)\s*(%?)\s*/\s*([0-9.]+)\s*s?\s*", text)
        if match is None:
            raise ValidationError("target", text, expected)
        try:
            level = float(match.group(1))
            within = float(match.group(3))
        except ValueError:
            raise ValidationError("target", text, expected) from None
        if match.group(2):
            level /= 100.0
        return cls(level=level, answer_within_seconds=within, **other_fields)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServicePolicy:
        """Rebuild a policy from :meth:`to_dict` output (missing keys take their defaults).

        Raises
        ------
        ValidationError
            If a key is not a field of the policy, or a value is out of range.
        """
        names = [f.name for f in fields(cls)]
        if not isinstance(data, Mapping):
            raise ValidationError("service", data, f"a mapping with keys among {', '.join(names)}")
        unknown = sorted(str(k) for k in data if k not in names)
        if unknown:
            raise ValidationError("service", unknown, f"keys among {', '.join(names)}")
        return cls(**dict(data))

    def to_dict(self) -> dict[str, Any]:
        """The policy as a plain JSON-ready dict (for ``summary.json`` and ``df.attrs``)."""
        return asdict(self)

    # -- the one conversion between scheduled and on-the-phone agents -------------------
    def on_phone(self, scheduled: Any) -> Any:
        """Agents on the phone out of ``scheduled`` agents: ``scheduled * (1 - shrinkage)``.

        Parameters
        ----------
        scheduled
            Scheduled agents (on shift and not on a break the roster placed);
            scalar or array.

        Returns
        -------
        float or numpy.ndarray
            Fractional agents on the phone, of the shape of ``scheduled``.
        """
        return on_phone_agents(scheduled, shrinkage=self.shrinkage)

    def scheduled_for_fractional(self, on_phone: Any) -> Any:
        """Scheduled agents giving ``on_phone`` on the phone: ``on_phone / (1 - shrinkage)``.

        Parameters
        ----------
        on_phone
            Agents needed on the phone (may be fractional); scalar or array.

        Returns
        -------
        float or numpy.ndarray
            Fractional scheduled agents, of the shape of ``on_phone``.
        """
        return scheduled_agents_fractional(on_phone, shrinkage=self.shrinkage)

    def scheduled_for(self, on_phone: Any) -> Any:
        """Whole scheduled agents that give at least ``on_phone`` agents on the phone.

        ``ceil(on_phone / (1 - shrinkage) - SCHEDULE_TOLERANCE)``: the
        tolerance keeps 14 / 0.7 at 20 (not 21) despite rounding.

        Parameters
        ----------
        on_phone
            Agents needed on the phone; scalar or array.

        Returns
        -------
        int or numpy.ndarray
            Whole scheduled agents (``int64`` for arrays).
        """
        grossed = np.asarray(scheduled_agents_fractional(on_phone, shrinkage=self.shrinkage))
        result = np.ceil(grossed - SCHEDULE_TOLERANCE).astype(np.int64)
        return int(result) if result.ndim == 0 else result


def on_phone_agents(scheduled: Any, *, shrinkage: float) -> Any:
    """Agents on the phone out of ``scheduled`` agents: ``scheduled * (1 - shrinkage)``.

    The one place where shrinkage turns scheduled agents into agents on the
    phone; :meth:`ServicePolicy.on_phone` and a centre's
    :class:`wfm.queues.QueueSet` (one shrinkage for several queues) use it.

    Parameters
    ----------
    scheduled
        Scheduled agents; scalar or array.
    shrinkage
        Share of scheduled time lost, in [0, 1).

    Returns
    -------
    float or numpy.ndarray
        Fractional agents on the phone, of the shape of ``scheduled``.
    """
    result = np.asarray(scheduled, dtype=np.float64) * (1.0 - shrinkage)
    return float(result) if result.ndim == 0 else result


def scheduled_agents_fractional(on_phone: Any, *, shrinkage: float) -> Any:
    """Scheduled agents giving ``on_phone`` on the phone: ``on_phone / (1 - shrinkage)``.

    The inverse of :func:`on_phone_agents`.

    Parameters
    ----------
    on_phone
        Agents needed on the phone (may be fractional); scalar or array.
    shrinkage
        Share of scheduled time lost, in [0, 1).

    Returns
    -------
    float or numpy.ndarray
        Fractional scheduled agents, of the shape of ``on_phone``.
    """
    result = np.asarray(on_phone, dtype=np.float64) / (1.0 - shrinkage)
    return float(result) if result.ndim == 0 else result
