"""A YAML scenario that describes one planning week and runs the whole path.

A scenario file names where demand comes from (a history, a forecast or
ready-made requirements), the service target, the shift templates, the
contracts, the agents, the weights of the soft terms and the solver
settings. :func:`load_scenario` reads and validates all of it before any
work starts; :meth:`Scenario.build_problem` then does the heavy part
(reading the history, forecasting, Erlang staffing) and returns a
:class:`wfm.roster.RosterProblem`; :meth:`Scenario.pipeline` also returns the
intermediate tables. :func:`write_scenario` writes a problem back as a
scenario that loads into an equal problem.

Errors
------
Every error in the file raises :class:`wfm.errors.ScenarioError` whose
``field`` is the YAML path of the entry (``agents[12].contract``,
``templates[0].breaks[1].duration_minutes``), with the value found and what
was expected. Unknown keys are errors (with the closest known key
suggested), never ignored. For agents read from a CSV file the path is
followed by the file and line (``agents[12].contract (agents.csv line 14)``).

Conventions
-----------
- Paths are relative to the directory of the YAML file.
- Clock times are ``"HH:MM"`` strings (quote them: unquoted ``10:00`` is a
  number in YAML 1.1; this loader reads it as text, but other tools may
  not). Dates are ISO ``YYYY-MM-DD``; date-times ``YYYY-MM-DD HH:MM``.
- Durations are whole minutes in keys ending in ``_minutes``.
- Weekdays are names (``Mon`` .. ``Sun``, or full names, any case), numbers
  (Monday 0 .. Sunday 6), ranges (``Mon-Fri``) or comma lists
  (``"Mon-Fri,Sun"``), given as a string or a list.
- Only ``true``/``false`` are booleans (``yes``/``no``/``on``/``off`` are
  text), and numbers with colons are text, unlike YAML 1.1.

Top-level keys
--------------
``name`` (text), ``description`` (text, ignored by the solver)
``week``
    ``start`` (date, first day of the horizon, any weekday), ``days``
    (default 7).
``interval_minutes``
    Grid of the roster (default 15). History is aggregated to it.
``demand``
    Exactly one of

    - ``history: {path, method: auto, params: {}, default_aht_seconds,
      special_days: [dates], multipliers: {date: factor}}``: interval
      counts (``interval_start, calls[, aht_seconds]``) read with
      :func:`wfm.history.read_interval_counts` up to the start of the week,
      forecast with :func:`wfm.forecast.make_forecaster` (``method`` and
      ``params`` are its arguments; ``special_days`` are left out of fitting,
      ``multipliers`` scale days of the week), then staffed with
      :func:`wfm.staffing.requirements`; ``history: PATH`` is short for
      ``history: {path: PATH}`` (likewise for the other two);
    - ``forecast: {path, default_aht_seconds}``: a forecast table
      (``interval_start, calls[, aht_seconds][, is_open]``) covering the week
      only, staffed with :func:`wfm.staffing.requirements`;
    - ``requirements: {path, column}``: required agents per interval
      (``interval_start`` and ``column``, default ``required_agents`` if the
      file has it, else ``agents_scheduled``; ``calls`` and ``aht_seconds``
      are used for reporting when present), covering the week only.
``service``
    ``target`` (service level in (0, 1), e.g. 0.8), ``answer_within_seconds``
    (e.g. 20), ``max_asa_seconds``, ``max_abandon_rate``, ``model``
    (``erlang_c`` or ``erlang_a``), ``patience_seconds`` (Erlang A),
    ``shrinkage`` (default 0), ``fractional`` (default false: round each
    interval up; true: use the continuous requirement), ``max_occupancy``.
    Required unless demand is ``requirements`` (then it is used only to
    report the service level, and ``fractional``/``max_occupancy`` may not
    be given).

    ``shrinkage`` is the share of paid time lost to what the roster does
    *not* place itself (absence, training, meetings, ...). Breaks and
    lunches are placed by the roster and already excluded from coverage:
    do not count them in ``shrinkage`` as well.
``templates``
    List of shift templates; keys as :class:`wfm.roster.ShiftTemplate`:
    ``name``, ``earliest_start``, ``latest_start``, ``start_step_minutes``,
    ``min_length_minutes``, ``max_length_minutes``, ``length_step_minutes``,
    ``weekdays``, ``breaks`` (list; keys as :class:`wfm.roster.BreakRule`:
    ``name``, ``duration_minutes``, ``paid``,
    ``earliest_start_after_minutes``, ``latest_start_after_minutes``).
``contracts``
    List; keys as :class:`wfm.roster.Contract`.
``agents``
    Either a list of agents (below) or ``{csv: PATH}``.
``rules``
    ``soft: {RULE: penalty}`` makes labour rules soft (rule names as
    :class:`wfm.roster.Rule` values, e.g. ``min_rest``); others stay hard.
``weights``
    Keys as :class:`wfm.roster.Weights`.
``fairness``
    ``weekend_days`` (default ``[Sat, Sun]``), ``late_shift_ends_after``
    (default ``"20:00"``).
``solver``
    ``time_limit_seconds`` (60), ``workers`` (8), ``seed`` (0),
    ``max_deterministic_time`` (none).

Agents
------
Inline, each agent is a mapping with ``agent_id``, ``contract`` and
optionally ``templates`` (list, or ``;``-separated; absent = all),
``availability``, ``time_off``, ``preferences``, ``pins``,
``cost_per_hour``, ``last_shift_end`` (date-time),
``consecutive_days_worked_before``, ``days_off_before``. In a CSV file the
columns are the same (``agent_id`` and ``contract`` required; an empty cell
means "not given") and the list-valued ones use the compact text forms
below, which are also accepted inline. Entries are separated by ``;``.

``availability``
    ``"Mon-Fri 08:00-14:00; Sat 09:00-13:00"``: weekly windows; a shift must
    fit inside one window of its weekday; an end at or before the start runs
    past midnight. Inline also a list of ``{weekdays, start, end}``.
``time_off``
    ``"2027-01-06; 2027-01-08 12:00..2027-01-08 18:00"``: a date is the
    whole day; ``A..B`` is a range of dates or date-times (a date as ``B``
    includes that whole day). Inline also a list of dates or ``{start, end}``.
``preferences``
    ``"template=early weight=2; start_window=08:00-09:00 weekdays=Mon-Fri;
    day_off=2027-01-06 weight=3"`` (weight defaults to 1). Inline also a
    list of mappings with exactly one of ``template``, ``start_window`` (with
    optional ``weekdays``) or ``day_off``, and optional ``weight``.
``pins``
    ``"2027-01-05 off; 2027-01-06 template=early start=08:00
    length_minutes=510; 2027-01-07"`` (a bare date: some shift that day).
    Inline also a list of ``{day, off, template, start, length_minutes}``.

Example
-------
.. code-block:: yaml

    name: example
    week: {start: 2027-01-04, days: 7}
    interval_minutes: 15
    demand:
      history: {path: history.csv, method: auto, special_days: [2026-12-24]}
    service:
      target: 0.8
      answer_within_seconds: 20
      model: erlang_c
      shrinkage: 0.12
    templates:
      - name: early
        earliest_start: "07:45"
        latest_start: "10:00"
        min_length_minutes: 510
        weekdays: Mon-Fri
        breaks:
          - {name: break1, duration_minutes: 15, paid: true,
             earliest_start_after_minutes: 90, latest_start_after_minutes: 150}
          - {name: lunch, duration_minutes: 30, paid: false,
             earliest_start_after_minutes: 210, latest_start_after_minutes: 300}
    contracts:
      - {name: full_time, min_hours_per_week: 32, max_hours_per_week: 40,
         max_days_per_week: 5, min_consecutive_days_off: 2}
    agents:
      csv: agents.csv
      # or inline:
      # - agent_id: A001
      #   contract: full_time
      #   availability: "Mon-Fri 08:00-16:00"
      #   time_off: [2027-01-06]
      #   preferences: [{template: early, weight: 2}]
      #   pins: [{day: 2027-01-04, template: early, start: "08:00"}]
    rules:
      soft: {min_rest: 50}
    weights: {understaffing_per_agent_hour: 100, paid_hour: 1}
    fairness: {weekend_days: [Sat, Sun], late_shift_ends_after: "20:00"}
    solver: {time_limit_seconds: 60, workers: 8, seed: 0}
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import yaml

from wfm.errors import DataError, ScenarioError, ValidationError
from wfm.roster.problem import (
    WEEKDAY_NAMES,
    Agent,
    AvailabilityWindow,
    BreakRule,
    Contract,
    Pin,
    PreferDayOff,
    Preference,
    PreferStartWindow,
    PreferTemplate,
    RosterProblem,
    Rule,
    ServiceSettings,
    ShiftTemplate,
    TimeOff,
    Weights,
    requirements_from_staffing,
)

if TYPE_CHECKING:
    from wfm.history import History
    from wfm.staffing import ServiceTarget

__all__ = [
    "ForecastDemand",
    "HistoryDemand",
    "RequirementsDemand",
    "Scenario",
    "ScenarioRun",
    "ServiceSpec",
    "SolverSettings",
    "load_scenario",
    "write_scenario",
]

T = TypeVar("T")

# ----------------------------------------------------------------------------- YAML reading

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"


class _Loader(yaml.SafeLoader):
    """Safe loader without YAML 1.1 surprises (``10:00`` as 600, ``off`` as false)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                continue  # unhashable key: the base class reports it
            if duplicate:
                raise ScenarioError(
                    f"line {key_node.start_mark.line + 1}", key, "each key once in a mapping"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT_TAG, _FLOAT_TAG, _BOOL_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    _INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
        |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def _read_yaml(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        raise ScenarioError(where, exc.problem, "valid YAML") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), str(exc), "valid YAML") from None


# ----------------------------------------------------------------------------- value parsers


def _closest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"one of {', '.join(known)}{hint}"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _mapping(
    value: Any, path: str, known: Sequence[str], *, required: Sequence[str] = ()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(path or "scenario", value, "a mapping of keys to values")
    for key in value:
        if not isinstance(key, str):
            raise ScenarioError(_join(path, str(key)), key, "a text key")
        if key not in known:
            raise ScenarioError(_join(path, key), key, f"a known key: {_closest(key, known)}")
    for key in required:
        if key not in value or value[key] is None:
            raise ScenarioError(_join(path, key), None, "a value (required)")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(path, value, "a list")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(path, value, "a non-empty text")
    return value.strip()


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(path, value, "true or false")
    return value


def _int(value: Any, path: str, *, minimum: int | None = None) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ScenarioError(path, value, "a whole number")
    if minimum is not None and value < minimum:
        raise ScenarioError(path, value, f"a whole number >= {minimum}")
    return value


def _number(
    value: Any,
    path: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ScenarioError(path, value, "a finite number")
    if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
        raise ScenarioError(path, value, f"a number {'>' if exclusive_minimum else '>='} {minimum}")
    if maximum is not None and value > maximum:
        raise ScenarioError(path, value, f"a number <= {maximum}")
    return float(value)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _time(value: Any, path: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ScenarioError(path, value, 'a clock time "HH:MM"')
    hour, minute, second = (int(g) if g else 0 for g in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise ScenarioError(path, value, 'a clock time "HH:MM" from 00:00 to 23:59')
    return dt.time(hour, minute, second)


def _date(value: Any, path: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ScenarioError(path, str(value), "a date YYYY-MM-DD without a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ScenarioError(path, value, "a date YYYY-MM-DD")


def _datetime(value: Any, path: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ScenarioError(path, str(value), "a local date-time without a time zone")
        return value
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2})?$", value):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ScenarioError(path, value, 'a date-time "YYYY-MM-DD HH:MM"')


_DAY_NAMES = {name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)} | {
    name: i
    for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}


def _weekday(token: Any, path: str) -> int:
    if isinstance(token, int) and not isinstance(token, bool) and 0 <= token <= 6:
        return token
    if isinstance(token, str):
        text = token.strip().lower()
        if text in _DAY_NAMES:
            return _DAY_NAMES[text]
        if text.isdigit() and 0 <= int(text) <= 6:
            return int(text)
    raise ScenarioError(path, token, "a weekday Mon..Sun (or 0 = Monday .. 6 = Sunday)")


def _weekdays(value: Any, path: str) -> frozenset[int]:
    items: list[Any]
    if isinstance(value, str):
        items = [p for p in value.split(",") if p.strip()]
    elif isinstance(value, list):
        items = value
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [value]
    else:
        raise ScenarioError(path, value, 'weekdays as a list or text such as "Mon-Fri,Sun"')
    days: set[int] = set()
    for item in items:
        if isinstance(item, str) and "-" in item:
            first, _, last = item.partition("-")
            a, b = _weekday(first, path), _weekday(last, path)
            if b < a:
                raise ScenarioError(path, item, "a weekday range in week order (e.g. Mon-Fri)")
            days.update(range(a, b + 1))
        else:
            days.add(_weekday(item, path))
    if not days:
        raise ScenarioError(path, value, "at least one weekday")
    return frozenset(days)


def _weekday_text(days: frozenset[int]) -> str:
    ordered = sorted(days)
    runs: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            runs.append(f"{WEEKDAY_NAMES[ordered[i]]}-{WEEKDAY_NAMES[ordered[j]]}")
        else:
            runs.extend(WEEKDAY_NAMES[d] for d in ordered[i : j + 1])
        i = j + 1
    return ",".join(runs)


def _hhmm(t: dt.time) -> str:
    return f"{t:%H:%M:%S}" if t.second else f"{t:%H:%M}"


def _stamp(t: dt.datetime) -> str:
    return f"{t:%Y-%m-%d %H:%M:%S}" if t.second else f"{t:%Y-%m-%d %H:%M}"


def _built(path: str, build: Callable[[], T], *, note: str = "") -> T:
    """Build a problem object, turning its ValidationError into a ScenarioError at ``path``."""
    try:
        return build()
    except ScenarioError:
        raise
    except ValidationError as exc:
        match = re.match(r"^(?:[A-Za-z_]+(?:\[[^\]]*\])?|break '[^']*')\.(.+)$", exc.field)
        suffix = match.group(1) if match else ""
        where = f"{path}.{suffix}" if suffix else path
        raise ScenarioError(where + note, exc.value, exc.expected) from None


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True, kw_only=True)
class SolverSettings:
    """Solver settings of a scenario (arguments of :func:`wfm.roster.solve.solve`).

    Parameters
    ----------
    time_limit_seconds
        Wall-clock limit of the search.
    workers
        CP-SAT search workers.
    seed
        Random seed of the search.
    max_deterministic_time
        Optional limit in CP-SAT's deterministic time units (reproducible
        across machine load).
    """

    time_limit_seconds: float = 60.0
    workers: int = 8
    seed: int = 0
    max_deterministic_time: float | None = None

    def __post_init__(self) -> None:
        if not (
            isinstance(self.time_limit_seconds, (int, float))
            and math.isfinite(self.time_limit_seconds)
            and self.time_limit_seconds > 0
        ):
            raise ValidationError(
                "solver.time_limit_seconds", self.time_limit_seconds, "a number of seconds > 0"
            )
        if not (isinstance(self.workers, int) and self.workers >= 1):
            raise ValidationError("solver.workers", self.workers, "a whole number >= 1")
        if not (isinstance(self.seed, int) and self.seed >= 0):
            raise ValidationError("solver.seed", self.seed, "a whole number >= 0")
        if self.max_deterministic_time is not None and not (
            isinstance(self.max_deterministic_time, (int, float))
            and math.isfinite(self.max_deterministic_time)
            and self.max_deterministic_time > 0
        ):
            raise ValidationError(
                "solver.max_deterministic_time", self.max_deterministic_time, "a number > 0"
            )


@dataclass(frozen=True, kw_only=True)
class ServiceSpec:
    """The ``service`` section: target, queueing model and shrinkage.

    ``shrinkage`` is the share of paid time lost to what the roster does not
    place itself (absence, training); breaks placed by the roster must not
    be counted in it again.
    """

    target: float | None
    answer_within_seconds: float | None
    max_asa_seconds: float | None = None
    max_abandon_rate: float | None = None
    model: str = "erlang_c"
    patience_seconds: float | None = None
    shrinkage: float = 0.0
    fractional: bool = False
    max_occupancy: float | None = None

    def service_target(self) -> ServiceTarget:
        """The :class:`wfm.staffing.ServiceTarget` of this section."""
        from wfm.staffing import ServiceTarget

        return ServiceTarget(
            level=self.target,
            answer_within_seconds=self.answer_within_seconds,
            max_asa_seconds=self.max_asa_seconds,
            max_abandon_rate=self.max_abandon_rate,
        )

    def settings(self) -> ServiceSettings:
        """The :class:`wfm.roster.ServiceSettings` used to report service."""
        return ServiceSettings(
            target=self.service_target(),
            model=self.model,
            patience_seconds=self.patience_seconds,
            shrinkage=self.shrinkage,
        )


@dataclass(frozen=True, kw_only=True)
class HistoryDemand:
    """Demand from interval history: read, forecast, then staff.

    Parameters
    ----------
    path
        History CSV (``interval_start, calls[, aht_seconds]``).
    method
        Forecast method for :func:`wfm.forecast.make_forecaster`.
    params
        Further constructor parameters of that forecaster.
    default_aht_seconds
        AHT used when the history has none.
    special_days
        Dates left out of fitting (holidays, outages).
    multipliers
        Factors applied to the forecast calls of dates of the week.
    """

    path: Path
    method: str = "auto"
    params: Mapping[str, Any] = field(default_factory=dict)
    default_aht_seconds: float | None = None
    special_days: tuple[dt.date, ...] = ()
    multipliers: Mapping[dt.date, float] = field(default_factory=dict)

    def forecaster_params(self) -> dict[str, Any]:
        """Keyword arguments of :func:`wfm.forecast.make_forecaster`."""
        params = dict(self.params)
        if self.special_days:
            params["special_days"] = self.special_days
        if self.multipliers:
            params["multipliers"] = dict(self.multipliers)
        if self.default_aht_seconds is not None:
            params["default_aht_seconds"] = self.default_aht_seconds
        return params


@dataclass(frozen=True, kw_only=True)
class ForecastDemand:
    """Demand from a forecast table of the week, staffed with Erlang C/A."""

    path: Path
    default_aht_seconds: float | None = None


@dataclass(frozen=True, kw_only=True)
class RequirementsDemand:
    """Ready-made requirements of the week; ``column`` holds the agents needed."""

    path: Path
    column: str | None = None


Demand = HistoryDemand | ForecastDemand | RequirementsDemand


@dataclass(frozen=True, kw_only=True)
class ScenarioRun:
    """The tables of one run of a scenario's pipeline.

    Attributes
    ----------
    history
        The history read (history demand only).
    forecast
        The forecast of the week (history or forecast demand).
    staffing
        Output of :func:`wfm.staffing.requirements` (history or forecast demand).
    requirements
        Requirements in the roster layout (``interval_start``,
        ``required_agents``[, ``calls``, ``aht_seconds``]).
    problem
        The roster problem.
    notes
        Things about the demand worth a look that are not errors (days of
        the week with no row in the demand file).
    """

    history: History | None
    forecast: pd.DataFrame | None
    staffing: pd.DataFrame | None
    requirements: pd.DataFrame
    problem: RosterProblem
    notes: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- scenario


@dataclass(frozen=True, kw_only=True, eq=False)
class Scenario:
    """A validated scenario; see the module docstring for the file format.

    Build it with :func:`load_scenario`. Everything the file says has been
    checked; :meth:`build_problem` only reads data files and computes.
    """

    name: str
    path: Path | None
    start_date: dt.date
    days: int
    interval_minutes: int
    demand: Demand
    service: ServiceSpec | None
    templates: tuple[ShiftTemplate, ...]
    contracts: tuple[Contract, ...]
    agents: tuple[Agent, ...]
    weights: Weights = field(default_factory=Weights)
    soft_rules: Mapping[Rule, float] = field(default_factory=dict)
    weekend_days: frozenset[int] = frozenset({5, 6})
    late_shift_ends_after: dt.time = dt.time(20, 0)
    solver: SolverSettings = field(default_factory=SolverSettings)
    description: str = ""

    # -- pipeline -------------------------------------------------------------
    def pipeline(self) -> ScenarioRun:
        """Run demand -> (forecast -> staffing) -> roster problem.

        Returns
        -------
        ScenarioRun
            The intermediate tables and the problem.

        Raises
        ------
        wfm.errors.DataError
            A data file has a bad row (the field names the file).
        """
        demand = self.demand
        history: History | None = None
        forecast: pd.DataFrame | None = None
        staffing: pd.DataFrame | None = None
        if isinstance(demand, RequirementsDemand):
            requirements = self._read_requirements(demand)
        else:
            if isinstance(demand, HistoryDemand):
                history, forecast = self._forecast_from_history(demand)
                aht = None
            else:
                forecast = self._read_forecast(demand)
                aht = demand.default_aht_seconds
            staffing = self._staff(forecast, aht)
            assert self.service is not None  # checked on load
            requirements = requirements_from_staffing(staffing, fractional=self.service.fractional)
        notes: tuple[str, ...] = ()
        if not isinstance(demand, HistoryDemand):
            notes = self._days_without_rows(requirements["interval_start"])
        problem = self._problem(requirements)
        return ScenarioRun(
            history=history,
            forecast=forecast,
            staffing=staffing,
            requirements=requirements,
            problem=problem,
            notes=notes,
        )

    def build_problem(self) -> RosterProblem:
        """The roster problem of the scenario (runs :meth:`pipeline`)."""
        return self.pipeline().problem

    def _problem(self, requirements: pd.DataFrame) -> RosterProblem:
        try:
            return RosterProblem(
                start_date=self.start_date,
                requirements=requirements,
                templates=self.templates,
                contracts=self.contracts,
                agents=self.agents,
                days=self.days,
                interval_minutes=self.interval_minutes,
                weights=self.weights,
                soft_rules=self.soft_rules,
                weekend_days=self.weekend_days,
                late_shift_ends_after=self.late_shift_ends_after,
                service=self.service.settings() if self.service is not None else None,
            )
        except DataError as exc:
            raise self._data_error(exc) from None

    def _days_without_rows(self, starts: pd.Series) -> tuple[str, ...]:
        """A note naming the days of the week that have no row in the demand file.

        Intervals absent from the requirements need no agents; a whole day
        absent is more often a truncated file than a closed day, so it is
        reported rather than passed over.
        """
        stamps = pd.to_datetime(starts)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        present = set(stamps.dt.date)
        days = (self.start_date + dt.timedelta(days=d) for d in range(self.days))
        missing = [day.isoformat() for day in days if day not in present]
        if not missing:
            return ()
        return (
            f"demand.{_demand_key(self.demand)} ({self.demand.path.name}) has no rows on "
            f"{', '.join(missing)}: rostered as closed (no agents needed)",
        )

    def _data_error(self, exc: ValidationError) -> DataError:
        source = _demand_key(self.demand)
        field = exc.field
        if not isinstance(self.demand, HistoryDemand):
            field = _row_to_line(field)  # the table rows are the file's data lines
        value = exc.value.item() if isinstance(exc.value, np.generic) else exc.value
        return DataError(f"demand.{source} ({self.demand.path.name}): {field}", value, exc.expected)

    def _forecast_from_history(self, demand: HistoryDemand) -> tuple[History, pd.DataFrame]:
        from wfm.forecast import make_forecaster
        from wfm.history import read_interval_counts

        try:
            history = read_interval_counts(
                demand.path,
                interval_minutes=self.interval_minutes,
                end=pd.Timestamp(self.start_date),
            )
            forecaster = make_forecaster(demand.method, **demand.forecaster_params())
            forecaster.fit(history)
            forecast = forecaster.predict(pd.Timestamp(self.start_date), self.days)
        except ValidationError as exc:
            raise self._data_error(exc) from None
        return history, forecast

    def _read_forecast(self, demand: ForecastDemand) -> pd.DataFrame:
        frame = _read_csv(demand.path, "demand.forecast.path")
        for column in ("interval_start", "calls"):
            if column not in frame.columns:
                raise DataError(
                    f"demand.forecast ({demand.path.name})",
                    list(frame.columns),
                    f"a column {column!r}",
                )
        if "aht_seconds" not in frame.columns and demand.default_aht_seconds is None:
            raise DataError(
                f"demand.forecast ({demand.path.name})",
                list(frame.columns),
                "a column 'aht_seconds' or demand.forecast.default_aht_seconds",
            )
        frame["interval_start"] = _timestamps(frame["interval_start"], self.demand)
        _check_grid(frame["interval_start"], self.interval_minutes, self.demand)
        if "is_open" in frame.columns:
            frame["is_open"] = _booleans(frame["is_open"], self.demand)
        return frame

    def _staff(self, forecast: pd.DataFrame, aht_seconds: float | None) -> pd.DataFrame:
        from wfm.staffing import requirements

        service = self.service
        assert service is not None
        kwargs: dict[str, Any] = {
            "target": service.service_target(),
            "shrinkage": service.shrinkage,
            "model": service.model,
            "patience_seconds": service.patience_seconds,
            "interval_minutes": self.interval_minutes,
        }
        if service.max_occupancy is not None:
            kwargs["max_occupancy"] = service.max_occupancy
        if aht_seconds is not None:
            kwargs["aht_seconds"] = aht_seconds
        try:
            staffing: pd.DataFrame = requirements(forecast, **kwargs)
        except ValidationError as exc:
            raise self._data_error(exc) from None
        return staffing

    def _read_requirements(self, demand: RequirementsDemand) -> pd.DataFrame:
        frame = _read_csv(demand.path, "demand.requirements.path")
        column = demand.column
        if column is None:
            column = "required_agents" if "required_agents" in frame.columns else "agents_scheduled"
        for name in ("interval_start", column):
            if name not in frame.columns:
                raise DataError(
                    f"demand.requirements ({demand.path.name})",
                    list(frame.columns),
                    f"a column {name!r}",
                )
        out = pd.DataFrame(
            {
                "interval_start": _timestamps(frame["interval_start"], demand),
                "required_agents": frame[column],
            }
        )
        for extra in ("calls", "aht_seconds"):
            if extra in frame.columns and extra != column:
                out[extra] = frame[extra]
        return out


def _demand_key(demand: Demand) -> str:
    if isinstance(demand, HistoryDemand):
        return "history"
    if isinstance(demand, ForecastDemand):
        return "forecast"
    return "requirements"


def _read_csv(path: Path, where: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{where} ({path.name})", str(exc).strip(), "a CSV file") from None


def _timestamps(column: pd.Series, demand: Demand) -> pd.Series:
    # ISO only, as the history reader: "05/01/2027 08:00" would be read month-first
    stamps = pd.to_datetime(column, errors="coerce", format="ISO8601")
    bad = stamps.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(
            f"demand.{_demand_key(demand)} ({demand.path.name}): interval_start[line {row + 2}]",
            column.iloc[row],
            "a timestamp YYYY-MM-DD HH:MM",
        )
    return stamps


def _check_grid(stamps: pd.Series, interval_minutes: int, demand: Demand) -> None:
    """A forecast file on a coarser grid than the scenario's is an error.

    Intervals absent from the table need no agents, so a 30-minute forecast
    read on a 15-minute grid would silently leave every other interval
    unstaffed. (Requirements files may legitimately list only the intervals
    that need agents, so they are not checked.)
    """
    if len(stamps) < 2:
        return
    ordered = stamps.sort_values()
    naive = ordered.dt.tz_localize(None) if ordered.dt.tz is not None else ordered
    values = naive.to_numpy(dtype="datetime64[ns]")
    same_day = values[1:].astype("datetime64[D]") == values[:-1].astype("datetime64[D]")
    gaps = (values[1:] - values[:-1])[same_day] // pd.Timedelta(minutes=1).to_timedelta64()
    gaps = gaps[gaps > 0]
    if gaps.size and int(gaps.min()) > interval_minutes:
        raise DataError(
            f"demand.{_demand_key(demand)} ({demand.path.name}): interval_start",
            f"rows at least {int(gaps.min())} minutes apart",
            f"a row per {interval_minutes}-minute interval (interval_minutes of the scenario); "
            "set interval_minutes to the file's grid or resample the file",
        )


def _row_to_line(field: str) -> str:
    """``calls[row 40]`` (0-based table row) -> ``calls[line 42]`` (line of the CSV file)."""
    return re.sub(r"\[row (\d+)\]", lambda m: f"[line {int(m.group(1)) + 2}]", field)


def _booleans(column: pd.Series, demand: Demand) -> pd.Series:
    if column.dtype == bool:
        return column
    mapping = {"true": True, "false": False, "1": True, "0": False}
    values = column.astype(str).str.strip().str.lower().map(mapping)
    bad = values.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(
            f"demand.{_demand_key(demand)} ({demand.path.name}): is_open[line {row + 2}]",
            column.iloc[row],
            "True or False",
        )
    return values.astype(bool)


# ----------------------------------------------------------------------------- loading

_TOP_KEYS = (
    "name",
    "description",
    "week",
    "interval_minutes",
    "demand",
    "service",
    "templates",
    "contracts",
    "agents",
    "rules",
    "weights",
    "fairness",
    "solver",
)
_TEMPLATE_KEYS = tuple(f.name for f in fields(ShiftTemplate))
_BREAK_KEYS = tuple(f.name for f in fields(BreakRule))
_CONTRACT_KEYS = tuple(f.name for f in fields(Contract))
_AGENT_KEYS = tuple(f.name for f in fields(Agent))
_WEIGHT_KEYS = tuple(f.name for f in fields(Weights))
_SOLVER_KEYS = tuple(f.name for f in fields(SolverSettings))
_SERVICE_KEYS = tuple(f.name for f in fields(ServiceSpec))
_RULE_NAMES = tuple(r.value for r in Rule)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file.

    Parameters
    ----------
    path
        The YAML file; relative paths inside it are resolved against its
        directory.

    Returns
    -------
    Scenario
        The validated scenario (no data read beyond the agents CSV).

    Raises
    ------
    wfm.errors.ScenarioError
        An entry is missing, unknown or invalid; ``field`` is its YAML path.
    FileNotFoundError
        The scenario file does not exist.
    """
    path = Path(path)
    document = _read_yaml(path)
    return _parse(document, base=path.resolve().parent, path=path)


def _parse(document: Any, *, base: Path, path: Path | None) -> Scenario:
    top = _mapping(document, "", _TOP_KEYS, required=("week", "demand", "templates", "contracts"))
    if "agents" not in top or top["agents"] is None:
        raise ScenarioError("agents", None, "a list of agents or {csv: PATH} (required)")
    name = _text(top["name"], "name") if "name" in top else (path.stem if path else "scenario")
    description = str(top.get("description") or "")

    week = _mapping(top["week"], "week", ("start", "days"), required=("start",))
    start_date = _date(week["start"], "week.start")
    days = _int(week.get("days", 7), "week.days", minimum=1)
    if days > 28:
        raise ScenarioError("week.days", days, "a whole number of days in [1, 28]")
    interval = _int(top.get("interval_minutes", 15), "interval_minutes", minimum=1)
    if not (5 <= interval <= 60 and 1440 % interval == 0):
        raise ScenarioError(
            "interval_minutes", interval, "a whole number of minutes from 5 to 60 dividing 1440"
        )

    demand = _parse_demand(top["demand"], base, start_date, days)
    service = _parse_service(top.get("service"), demand)

    templates = _parse_templates(top["templates"], interval)
    contracts = _parse_contracts(top["contracts"])
    agents, notes = _parse_agents(top["agents"], base)
    _check_references(agents, notes, templates, contracts, start_date, days)

    rules = _mapping(top.get("rules") or {}, "rules", ("soft",))
    soft_raw = _mapping(rules.get("soft") or {}, "rules.soft", _RULE_NAMES)
    soft_rules = {
        Rule(key): _number(value, f"rules.soft.{key}", minimum=0.0)
        for key, value in soft_raw.items()
    }

    weights_raw = _mapping(top.get("weights") or {}, "weights", _WEIGHT_KEYS)
    weight_args: dict[str, Any] = {}
    for key, value in weights_raw.items():
        if key == "understaffing_growth":
            weight_args[key] = tuple(
                _number(v, f"weights.{key}[{i}]", minimum=0.0, exclusive_minimum=True)
                for i, v in enumerate(_list(value, f"weights.{key}"))
            )
        else:
            weight_args[key] = _number(value, f"weights.{key}", minimum=0.0)
    weights = _built("weights", lambda: Weights(**weight_args))

    fairness = _mapping(
        top.get("fairness") or {}, "fairness", ("weekend_days", "late_shift_ends_after")
    )
    weekend_days = (
        _weekdays(fairness["weekend_days"], "fairness.weekend_days")
        if "weekend_days" in fairness
        else frozenset({5, 6})
    )
    late = (
        _time(fairness["late_shift_ends_after"], "fairness.late_shift_ends_after")
        if "late_shift_ends_after" in fairness
        else dt.time(20, 0)
    )

    solver_raw = _mapping(top.get("solver") or {}, "solver", _SOLVER_KEYS)
    solver_args: dict[str, Any] = {}
    for key, value in solver_raw.items():
        if value is None:
            continue
        if key in ("workers", "seed"):
            solver_args[key] = _int(value, f"solver.{key}", minimum=1 if key == "workers" else 0)
        else:
            solver_args[key] = _number(value, f"solver.{key}", minimum=0.0, exclusive_minimum=True)
    solver = _built("solver", lambda: SolverSettings(**solver_args))

    scenario = Scenario(
        name=name,
        path=path,
        start_date=start_date,
        days=days,
        interval_minutes=interval,
        demand=demand,
        service=service,
        templates=templates,
        contracts=contracts,
        agents=agents,
        weights=weights,
        soft_rules=soft_rules,
        weekend_days=weekend_days,
        late_shift_ends_after=late,
        solver=solver,
        description=description,
    )
    _dry_run(scenario, notes)
    return scenario


def _parse_demand(value: Any, base: Path, start: dt.date, days: int) -> Demand:
    kinds = ("history", "forecast", "requirements")
    section = _mapping(value, "demand", kinds)
    given = [k for k in kinds if section.get(k) is not None]
    if len(given) != 1:
        raise ScenarioError(
            "demand", given or None, "exactly one of history, forecast or requirements"
        )
    kind = given[0]
    where = f"demand.{kind}"
    known: dict[str, tuple[str, ...]] = {
        "history": (
            "path",
            "method",
            "params",
            "default_aht_seconds",
            "special_days",
            "multipliers",
        ),
        "forecast": ("path", "default_aht_seconds"),
        "requirements": ("path", "column"),
    }
    raw = section[kind]
    if isinstance(raw, str):
        raw = {"path": raw}
    spec = _mapping(raw, where, known[kind], required=("path",))
    file = _existing_file(spec["path"], f"{where}.path", base)
    aht = (
        _number(
            spec["default_aht_seconds"],
            f"{where}.default_aht_seconds",
            minimum=0.0,
            exclusive_minimum=True,
        )
        if spec.get("default_aht_seconds") is not None
        else None
    )
    if kind == "requirements":
        column = _text(spec["column"], f"{where}.column") if spec.get("column") else None
        return RequirementsDemand(path=file, column=column)
    if kind == "forecast":
        return ForecastDemand(path=file, default_aht_seconds=aht)
    method = _text(spec.get("method", "auto"), f"{where}.method")
    params = _mapping(
        spec.get("params") or {}, f"{where}.params", _forecaster_params(method, where)
    )
    special = tuple(
        _date(v, f"{where}.special_days[{i}]")
        for i, v in enumerate(_list(spec.get("special_days") or [], f"{where}.special_days"))
    )
    multipliers_raw = spec.get("multipliers") or {}
    if not isinstance(multipliers_raw, dict):
        raise ScenarioError(f"{where}.multipliers", multipliers_raw, "a mapping date: factor")
    multipliers: dict[dt.date, float] = {}
    week_dates = {start + dt.timedelta(days=d) for d in range(days)}
    for key, factor in multipliers_raw.items():
        day = _date(key, f"{where}.multipliers")
        if day not in week_dates:
            raise ScenarioError(
                f"{where}.multipliers",
                str(day),
                f"a date of the week {min(week_dates)} .. {max(week_dates)}",
            )
        multipliers[day] = _number(factor, f"{where}.multipliers[{day}]", minimum=0.0)
    demand = HistoryDemand(
        path=file,
        method=method,
        params=dict(params),
        default_aht_seconds=aht,
        special_days=special,
        multipliers=multipliers,
    )
    try:
        from wfm.forecast import make_forecaster

        make_forecaster(method, **demand.forecaster_params())
    except ValidationError as exc:
        name = exc.field.split("[", 1)[0]
        if exc.field == "method":
            target = f"{where}.method"
        elif name in ("special_days", "multipliers", "default_aht_seconds"):
            target = f"{where}.{name}"
        else:
            target = f"{where}.params.{name}" if name in params else f"{where}.params"
        raise ScenarioError(target, exc.value, exc.expected) from None
    return demand


def _forecaster_params(method: str, where: str) -> tuple[str, ...]:
    """Names accepted in ``demand.history.params`` for ``method``."""
    import inspect

    from wfm import forecast

    classes = {
        "auto": forecast.AutoForecaster,
        "seasonal_naive": forecast.SeasonalNaive,
        "profile": forecast.WeekdayProfile,
        "smoothing": forecast.SmoothedDailyProfile,
    }
    if method not in classes:
        raise ScenarioError(f"{where}.method", method, _closest(method, list(classes)))
    names = set(inspect.signature(classes[method]).parameters) - {
        "self",
        "special_days",
        "multipliers",
        "default_aht_seconds",
        "candidates",
    }
    return tuple(sorted(names))


def _existing_file(value: Any, where: str, base: Path) -> Path:
    text = _text(value, where)
    file = (base / text).resolve() if not Path(text).is_absolute() else Path(text)
    if not file.is_file():
        raise ScenarioError(
            where, text, f"an existing file (looked for {file.name} in {file.parent})"
        )
    return file


def _parse_service(value: Any, demand: Demand) -> ServiceSpec | None:
    if value is None:
        if isinstance(demand, RequirementsDemand):
            return None
        raise ScenarioError(
            "service", None, "a service section (required when demand is history or forecast)"
        )
    raw = _mapping(value, "service", _SERVICE_KEYS)
    args: dict[str, Any] = {"target": None, "answer_within_seconds": None}
    if raw.get("target") is not None:
        level = raw["target"]
        if isinstance(level, (int, float)) and not isinstance(level, bool) and 1 < level <= 100:
            hint = f"a fraction in (0, 1), e.g. {level / 100:g} for {level:g}%"
            raise ScenarioError("service.target", level, hint)
        args["target"] = _number(
            raw["target"], "service.target", minimum=0.0, maximum=1.0, exclusive_minimum=True
        )
    if raw.get("answer_within_seconds") is not None:
        args["answer_within_seconds"] = _number(
            raw["answer_within_seconds"], "service.answer_within_seconds", minimum=0.0
        )
    if (args["target"] is None) != (args["answer_within_seconds"] is None):
        missing = "answer_within_seconds" if args["answer_within_seconds"] is None else "target"
        raise ScenarioError(
            f"service.{missing}", None, "a value: target and answer_within_seconds go together"
        )
    if args["target"] is None and raw.get("max_asa_seconds") is None:
        if raw.get("max_abandon_rate") is None:
            raise ScenarioError(
                "service.target",
                None,
                "a service target: target with answer_within_seconds, max_asa_seconds "
                "or max_abandon_rate",
            )
    for key in ("max_asa_seconds", "patience_seconds"):
        if raw.get(key) is not None:
            args[key] = _number(raw[key], f"service.{key}", minimum=0.0, exclusive_minimum=True)
    for key in ("max_abandon_rate", "max_occupancy"):
        if raw.get(key) is not None:
            args[key] = _number(
                raw[key], f"service.{key}", minimum=0.0, maximum=1.0, exclusive_minimum=True
            )
    if "shrinkage" in raw:
        shrinkage = _number(raw["shrinkage"], "service.shrinkage", minimum=0.0)
        if shrinkage >= 1:
            raise ScenarioError("service.shrinkage", shrinkage, "a fraction in [0, 1)")
        args["shrinkage"] = shrinkage
    if "model" in raw:
        model = _text(raw["model"], "service.model")
        if model not in ("erlang_c", "erlang_a"):
            raise ScenarioError("service.model", model, _closest(model, ["erlang_c", "erlang_a"]))
        args["model"] = model
        if model == "erlang_a" and args.get("patience_seconds") is None:
            raise ScenarioError(
                "service.patience_seconds", None, "a number of seconds > 0 for model erlang_a"
            )
    if "fractional" in raw:
        args["fractional"] = _bool(raw["fractional"], "service.fractional")
    if isinstance(demand, RequirementsDemand):
        for key in ("fractional", "max_occupancy"):
            if key in raw:
                raise ScenarioError(
                    f"service.{key}", raw[key], "nothing: demand is requirements (no staffing run)"
                )
    spec = ServiceSpec(**args)
    try:
        spec.settings()
    except ValidationError as exc:
        name = exc.field.removeprefix("service.")
        name = {"level": "target"}.get(name, name)
        raise ScenarioError(f"service.{name}", exc.value, exc.expected) from None
    return spec


def _parse_templates(value: Any, interval: int) -> tuple[ShiftTemplate, ...]:
    items = _list(value, "templates")
    if not items:
        raise ScenarioError("templates", [], "at least one shift template")
    out: list[ShiftTemplate] = []
    for i, item in enumerate(items):
        where = f"templates[{i}]"
        raw = _mapping(
            item,
            where,
            _TEMPLATE_KEYS,
            required=("name", "earliest_start", "latest_start", "min_length_minutes"),
        )
        args: dict[str, Any] = {"name": _text(raw["name"], f"{where}.name")}
        for key in ("earliest_start", "latest_start"):
            args[key] = _time(raw[key], f"{where}.{key}")
        for key in (
            "start_step_minutes",
            "min_length_minutes",
            "max_length_minutes",
            "length_step_minutes",
        ):
            if raw.get(key) is not None:
                minutes = _int(raw[key], f"{where}.{key}", minimum=1)
                if minutes % interval:
                    raise ScenarioError(
                        f"{where}.{key}", minutes, f"a multiple of interval_minutes ({interval})"
                    )
                args[key] = minutes
        if "weekdays" in raw:
            args["weekdays"] = _weekdays(raw["weekdays"], f"{where}.weekdays")
        breaks: list[BreakRule] = []
        for j, b in enumerate(_list(raw.get("breaks") or [], f"{where}.breaks")):
            bw = f"{where}.breaks[{j}]"
            braw = _mapping(
                b,
                bw,
                _BREAK_KEYS,
                required=(
                    "name",
                    "duration_minutes",
                    "earliest_start_after_minutes",
                    "latest_start_after_minutes",
                ),
            )
            bargs: dict[str, Any] = {"name": _text(braw["name"], f"{bw}.name")}
            for key in (
                "duration_minutes",
                "earliest_start_after_minutes",
                "latest_start_after_minutes",
            ):
                minutes = _int(braw[key], f"{bw}.{key}", minimum=0)
                if minutes % interval:
                    raise ScenarioError(
                        f"{bw}.{key}", minutes, f"a multiple of interval_minutes ({interval})"
                    )
                bargs[key] = minutes
            if "paid" in braw:
                bargs["paid"] = _bool(braw["paid"], f"{bw}.paid")
            breaks.append(_built(bw, partial(BreakRule, **bargs)))
        args["breaks"] = tuple(breaks)
        for key in ("earliest_start", "latest_start"):
            minutes = args[key].hour * 60 + args[key].minute
            if minutes % interval or args[key].second:
                raise ScenarioError(
                    f"{where}.{key}", _hhmm(args[key]), f"a time on the {interval}-minute grid"
                )
        out.append(_built(where, partial(ShiftTemplate, **args)))
    _unique([t.name for t in out], "templates", "name")
    return tuple(out)


def _unique(names: Sequence[str], where: str, key: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ScenarioError(f"{where}[{i}].{key}", name, "a name not used before in the list")
        seen.add(name)


def _parse_contracts(value: Any) -> tuple[Contract, ...]:
    items = _list(value, "contracts")
    if not items:
        raise ScenarioError("contracts", [], "at least one contract")
    ints = {
        "min_days_per_week",
        "max_days_per_week",
        "max_consecutive_days",
        "min_consecutive_days_off",
        "max_weekend_days",
    }
    out: list[Contract] = []
    for i, item in enumerate(items):
        where = f"contracts[{i}]"
        raw = _mapping(item, where, _CONTRACT_KEYS, required=("name",))
        args: dict[str, Any] = {"name": _text(raw["name"], f"{where}.name")}
        for key, v in raw.items():
            if key == "name":
                continue
            if key in ints:
                args[key] = _int(v, f"{where}.{key}", minimum=0)
            else:
                args[key] = _number(v, f"{where}.{key}", minimum=0.0)
        out.append(_built(where, partial(Contract, **args)))
    _unique([c.name for c in out], "contracts", "name")
    return tuple(out)


# ----------------------------------------------------------------------------- agents


def _entries(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _key_values(entry: str, where: str, known: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for token in entry.split():
        key, sep, val = token.partition("=")
        if not sep or not val:
            raise ScenarioError(where, entry, f"KEY=VALUE items with KEY in {', '.join(known)}")
        if key not in known:
            raise ScenarioError(where, key, f"a known key: {_closest(key, known)}")
        out[key] = val
    return out


def _parse_window(text: str, where: str) -> tuple[dt.time, dt.time]:
    first, sep, last = text.partition("-")
    if not sep:
        raise ScenarioError(where, text, 'a time window "HH:MM-HH:MM"')
    return _time(first, where), _time(last, where)


def _availability(value: Any, where: str) -> tuple[AvailabilityWindow, ...]:
    out: list[AvailabilityWindow] = []
    if isinstance(value, str):
        for j, entry in enumerate(_entries(value)):
            ew = f"{where}[{j}]"
            parts = entry.split()
            if len(parts) != 2:
                raise ScenarioError(
                    ew, entry, 'an entry "DAYS HH:MM-HH:MM" (e.g. "Mon-Fri 08:00-14:00")'
                )
            days = _weekdays(parts[0], ew)
            start, end = _parse_window(parts[1], ew)
            out.extend(AvailabilityWindow(weekday=d, start=start, end=end) for d in sorted(days))
        return tuple(out)
    for j, item in enumerate(_list(value, where)):
        ew = f"{where}[{j}]"
        raw = _mapping(
            item, ew, ("weekdays", "start", "end"), required=("weekdays", "start", "end")
        )
        days = _weekdays(raw["weekdays"], f"{ew}.weekdays")
        start, end = _time(raw["start"], f"{ew}.start"), _time(raw["end"], f"{ew}.end")
        out.extend(AvailabilityWindow(weekday=d, start=start, end=end) for d in sorted(days))
    return tuple(out)


def _range_end(text: str, where: str) -> dt.datetime:
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text.strip()):
        return dt.datetime.combine(_date(text, where), dt.time()) + dt.timedelta(days=1)
    return _datetime(text, where)


def _range_start(text: str, where: str) -> dt.datetime:
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text.strip()):
        return dt.datetime.combine(_date(text, where), dt.time())
    return _datetime(text, where)


def _time_off(value: Any, where: str) -> tuple[TimeOff, ...]:
    items: list[Any] = _entries(value) if isinstance(value, str) else _list(value, where)
    out: list[TimeOff] = []
    for j, item in enumerate(items):
        ew = f"{where}[{j}]"
        if isinstance(item, dict):
            raw = _mapping(item, ew, ("start", "end"), required=("start", "end"))
            start = (
                _range_start(raw["start"], f"{ew}.start")
                if isinstance(raw["start"], str)
                else _datetime_or_day(raw["start"], f"{ew}.start", end=False)
            )
            end = (
                _range_end(raw["end"], f"{ew}.end")
                if isinstance(raw["end"], str)
                else _datetime_or_day(raw["end"], f"{ew}.end", end=True)
            )
        elif isinstance(item, str) and ".." in item:
            first, _, last = item.partition("..")
            start, end = _range_start(first, ew), _range_end(last, ew)
        else:
            day = _date(item, ew)
            start = dt.datetime.combine(day, dt.time())
            end = start + dt.timedelta(days=1)
        out.append(_built(ew, partial(TimeOff, start=start, end=end)))
    return tuple(out)


def _datetime_or_day(value: Any, where: str, *, end: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _datetime(value, where)
    day = _date(value, where)
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(days=1 if end else 0)


def _preferences(value: Any, where: str) -> tuple[Preference, ...]:
    kinds = ("template", "start_window", "day_off")
    known = (*kinds, "weekdays", "weight")
    items: list[Any]
    if isinstance(value, str):
        items = [_key_values(e, f"{where}[{j}]", known) for j, e in enumerate(_entries(value))]
    else:
        items = _list(value, where)
    out: list[Preference] = []
    for j, item in enumerate(items):
        ew = f"{where}[{j}]"
        raw = _mapping(item, ew, known)
        given = [k for k in kinds if k in raw]
        if len(given) != 1:
            raise ScenarioError(ew, given or None, "exactly one of template, start_window, day_off")
        weight_raw = raw.get("weight", 1.0)
        if isinstance(weight_raw, str):
            try:
                weight_raw = float(weight_raw)
            except ValueError:
                pass
        weight = _number(weight_raw, f"{ew}.weight", minimum=0.0)
        kind = given[0]
        if "weekdays" in raw and kind != "start_window":
            raise ScenarioError(
                f"{ew}.weekdays", raw["weekdays"], "weekdays only with start_window"
            )
        preference: Preference
        if kind == "template":
            preference = PreferTemplate(
                template=_text(raw["template"], f"{ew}.template"), weight=weight
            )
        elif kind == "start_window":
            earliest, latest = _parse_window(
                _text(raw["start_window"], f"{ew}.start_window"), f"{ew}.start_window"
            )
            if latest < earliest:
                raise ScenarioError(
                    f"{ew}.start_window",
                    raw["start_window"],
                    "an earliest start not after the latest start",
                )
            days = (
                _weekdays(raw["weekdays"], f"{ew}.weekdays") if "weekdays" in raw else frozenset()
            )
            preference = PreferStartWindow(
                earliest=earliest, latest=latest, weekdays=days, weight=weight
            )
        else:
            preference = PreferDayOff(day=_date(raw["day_off"], f"{ew}.day_off"), weight=weight)
        out.append(preference)
    return tuple(out)


def _pins(value: Any, where: str) -> tuple[Pin, ...]:
    known = ("day", "off", "template", "start", "length_minutes")
    items: list[Any] = []
    if isinstance(value, str):
        for j, entry in enumerate(_entries(value)):
            ew = f"{where}[{j}]"
            day, _, rest = entry.partition(" ")
            rest = rest.strip()
            if rest == "off":
                items.append({"day": day, "off": True})
                continue
            raw: dict[str, Any] = {"day": day}
            raw.update(_key_values(rest, ew, ("template", "start", "length_minutes")))
            if "length_minutes" in raw:
                text = raw["length_minutes"]
                raw["length_minutes"] = int(text) if text.isdigit() else text
            items.append(raw)
    else:
        items = _list(value, where)
    out: list[Pin] = []
    for j, item in enumerate(items):
        ew = f"{where}[{j}]"
        raw = _mapping(item, ew, known, required=("day",))
        args: dict[str, Any] = {"day": _date(raw["day"], f"{ew}.day")}
        if "off" in raw:
            args["off"] = _bool(raw["off"], f"{ew}.off")
        if raw.get("template") is not None:
            args["template"] = _text(raw["template"], f"{ew}.template")
        if raw.get("start") is not None:
            args["start"] = _time(raw["start"], f"{ew}.start")
        if raw.get("length_minutes") is not None:
            args["length_minutes"] = _int(raw["length_minutes"], f"{ew}.length_minutes", minimum=1)
        out.append(_built(ew, partial(Pin, **args)))
    return tuple(out)


def _agent(raw: dict[str, Any], where: str, note: str) -> Agent:
    """Build one agent from a mapping whose values are YAML values or CSV texts."""

    def at(key: str) -> str:
        return f"{where}.{key}{note}"

    try:
        args: dict[str, Any] = {
            "agent_id": _text(
                str(raw["agent_id"]) if raw.get("agent_id") is not None else None, at("agent_id")
            ),
            "contract": _text(raw["contract"], at("contract")),
        }
        templates = raw.get("templates")
        if templates is not None:
            names = (
                _entries(templates)
                if isinstance(templates, str)
                else _list(templates, at("templates"))
            )
            args["templates"] = tuple(
                _text(n, f"{where}.templates[{k}]{note}") for k, n in enumerate(names)
            )
            if not names:
                raise ScenarioError(at("templates"), templates, "at least one template name")
        if raw.get("availability") is not None:
            args["availability"] = _availability(raw["availability"], at("availability"))
        if raw.get("time_off") is not None:
            args["time_off"] = _time_off(raw["time_off"], at("time_off"))
        if raw.get("preferences") is not None:
            args["preferences"] = _preferences(raw["preferences"], at("preferences"))
        if raw.get("pins") is not None:
            args["pins"] = _pins(raw["pins"], at("pins"))
        if raw.get("cost_per_hour") is not None:
            args["cost_per_hour"] = _number(
                _numeric(raw["cost_per_hour"]), at("cost_per_hour"), minimum=0.0
            )
        if raw.get("last_shift_end") is not None:
            args["last_shift_end"] = _datetime(raw["last_shift_end"], at("last_shift_end"))
        for key in ("consecutive_days_worked_before", "days_off_before"):
            if raw.get(key) is not None:
                args[key] = _int(_numeric(raw[key]), at(key), minimum=0)
    except ScenarioError as exc:
        if note and not exc.field.endswith(note):
            raise ScenarioError(exc.field + note, exc.value, exc.expected) from None
        raise
    return _built(where, lambda: Agent(**args), note=note)


def _numeric(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return value
    return value


def _parse_agents(value: Any, base: Path) -> tuple[tuple[Agent, ...], list[str]]:
    if isinstance(value, dict):
        spec = _mapping(value, "agents", ("csv",), required=("csv",))
        file = _existing_file(spec["csv"], "agents.csv", base)
        try:
            frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ScenarioError("agents.csv", str(exc).strip(), "a CSV file of agents") from None
        frame.columns = [str(c).strip() for c in frame.columns]
        for column in frame.columns:
            if column not in _AGENT_KEYS:
                raise ScenarioError(
                    f"agents.csv ({file.name})",
                    column,
                    f"a known column: {_closest(column, _AGENT_KEYS)}",
                )
        for column in ("agent_id", "contract"):
            if column not in frame.columns:
                raise ScenarioError(
                    f"agents.csv ({file.name})", list(frame.columns), f"a column {column!r}"
                )
        agents: list[Agent] = []
        notes: list[str] = []
        for i, row in enumerate(frame.to_dict("records")):
            raw: dict[str, Any] = {
                str(k): v.strip() for k, v in row.items() if isinstance(v, str) and v.strip()
            }
            note = f" ({file.name} line {i + 2})"
            agents.append(_agent(raw, f"agents[{i}]", note))
            notes.append(note)
        return tuple(agents), notes
    items = _list(value, "agents")
    inline: list[Agent] = []
    for i, item in enumerate(items):
        fields_ = _mapping(item, f"agents[{i}]", _AGENT_KEYS, required=("agent_id", "contract"))
        inline.append(_agent(fields_, f"agents[{i}]", ""))
    return tuple(inline), [""] * len(inline)


def _check_references(
    agents: Sequence[Agent],
    notes: Sequence[str],
    templates: Sequence[ShiftTemplate],
    contracts: Sequence[Contract],
    start: dt.date,
    days: int,
) -> None:
    template_names = [t.name for t in templates]
    contract_names = [c.name for c in contracts]
    last = start + dt.timedelta(days=days - 1)
    seen: set[str] = set()
    for i, agent in enumerate(agents):
        where, note = f"agents[{i}]", notes[i]
        if agent.agent_id in seen:
            raise ScenarioError(f"{where}.agent_id{note}", agent.agent_id, "an id not used before")
        seen.add(agent.agent_id)
        if agent.contract not in contract_names:
            raise ScenarioError(
                f"{where}.contract{note}",
                agent.contract,
                f"a contract of the scenario: {_closest(agent.contract, contract_names)}",
            )
        for k, name in enumerate(agent.templates or ()):
            if name not in template_names:
                raise ScenarioError(
                    f"{where}.templates[{k}]{note}",
                    name,
                    f"a template of the scenario: {_closest(name, template_names)}",
                )
        for k, p in enumerate(agent.preferences):
            if isinstance(p, PreferTemplate) and p.template not in template_names:
                raise ScenarioError(
                    f"{where}.preferences[{k}].template{note}",
                    p.template,
                    f"a template of the scenario: {_closest(p.template, template_names)}",
                )
        for k, pin in enumerate(agent.pins):
            if not start <= pin.day <= last:
                raise ScenarioError(
                    f"{where}.pins[{k}].day{note}", str(pin.day), f"a date from {start} to {last}"
                )
            if pin.template is not None and pin.template not in template_names:
                raise ScenarioError(
                    f"{where}.pins[{k}].template{note}",
                    pin.template,
                    f"a template of the scenario: {_closest(pin.template, template_names)}",
                )


def _dry_run(scenario: Scenario, notes: Sequence[str]) -> None:
    """Build the problem on empty requirements so every cross-check runs now."""
    empty = pd.DataFrame(
        {
            "interval_start": pd.Series([], dtype="datetime64[ns]"),
            "required_agents": pd.Series([], dtype=float),
        }
    )
    try:
        scenario._problem(empty)
    except ScenarioError:
        raise
    except ValidationError as exc:
        where = exc.field
        match = re.match(r"^agents\[(\d+)\](.*)$", where)
        if match:
            where = f"agents[{match.group(1)}]{match.group(2)}{notes[int(match.group(1))]}"
        elif where.startswith("soft_rules"):
            where = "rules.soft" + where[len("soft_rules") :]
        elif where == "days":
            where = "week.days"
        elif where == "start_date":
            where = "week.start"
        raise ScenarioError(where, exc.value, exc.expected) from None


# ----------------------------------------------------------------------------- writing


def _problem_document(
    problem: RosterProblem,
    *,
    name: str,
    solver: SolverSettings | Mapping[str, Any] | None,
    agents_csv: bool,
) -> tuple[dict[str, Any], pd.DataFrame | None]:
    doc: dict[str, Any] = {
        "name": name,
        "week": {"start": problem.start_date.isoformat(), "days": problem.days},
        "interval_minutes": problem.interval_minutes,
        "demand": {"requirements": {"path": "requirements.csv", "column": "required_agents"}},
    }
    if problem.service is not None:
        s = problem.service
        target = s.target
        service: dict[str, Any] = {}
        if target.level is not None:
            service["target"] = target.level
            service["answer_within_seconds"] = target.answer_within_seconds
        if target.max_asa_seconds is not None:
            service["max_asa_seconds"] = target.max_asa_seconds
        if target.max_abandon_rate is not None:
            service["max_abandon_rate"] = target.max_abandon_rate
        service["model"] = s.model
        if s.patience_seconds is not None:
            service["patience_seconds"] = s.patience_seconds
        service["shrinkage"] = s.shrinkage
        doc["service"] = service
    doc["templates"] = [_template_document(t) for t in problem.templates]
    doc["contracts"] = [
        {f.name: getattr(c, f.name) for f in fields(Contract)} for c in problem.contracts
    ]
    agents_frame: pd.DataFrame | None = None
    if agents_csv:
        doc["agents"] = {"csv": "agents.csv"}
        agents_frame = pd.DataFrame([_agent_row(a) for a in problem.agents], columns=_AGENT_KEYS)
    else:
        doc["agents"] = [_agent_document(a) for a in problem.agents]
    if problem.soft_rules:
        doc["rules"] = {"soft": {rule.value: p for rule, p in problem.soft_rules.items()}}
    weights = {f.name: getattr(problem.weights, f.name) for f in fields(Weights)}
    weights["understaffing_growth"] = list(problem.weights.understaffing_growth)
    doc["weights"] = weights
    doc["fairness"] = {
        "weekend_days": [WEEKDAY_NAMES[d] for d in sorted(problem.weekend_days)],
        "late_shift_ends_after": _hhmm(problem.late_shift_ends_after),
    }
    if solver is not None:
        settings = solver if isinstance(solver, SolverSettings) else SolverSettings(**solver)
        doc["solver"] = {
            f.name: getattr(settings, f.name)
            for f in fields(SolverSettings)
            if getattr(settings, f.name) is not None
        }
    return doc, agents_frame


def _template_document(t: ShiftTemplate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": t.name,
        "earliest_start": _hhmm(t.earliest_start),
        "latest_start": _hhmm(t.latest_start),
        "start_step_minutes": t.start_step_minutes,
        "min_length_minutes": t.min_length_minutes,
    }
    if t.max_length_minutes is not None:
        out["max_length_minutes"] = t.max_length_minutes
    out["length_step_minutes"] = t.length_step_minutes
    out["weekdays"] = _weekday_text(t.weekdays)
    if t.breaks:
        out["breaks"] = [{f.name: getattr(b, f.name) for f in fields(BreakRule)} for b in t.breaks]
    return out


def _agent_document(a: Agent) -> dict[str, Any]:
    out: dict[str, Any] = {"agent_id": a.agent_id, "contract": a.contract}
    if a.templates is not None:
        out["templates"] = list(a.templates)
    if a.availability is not None:
        out["availability"] = [
            {"weekdays": WEEKDAY_NAMES[w.weekday], "start": _hhmm(w.start), "end": _hhmm(w.end)}
            for w in a.availability
        ]
    if a.time_off:
        out["time_off"] = [{"start": _stamp(t.start), "end": _stamp(t.end)} for t in a.time_off]
    if a.preferences:
        out["preferences"] = [_preference_document(p) for p in a.preferences]
    if a.pins:
        out["pins"] = [_pin_document(p) for p in a.pins]
    if a.cost_per_hour is not None:
        out["cost_per_hour"] = a.cost_per_hour
    if a.last_shift_end is not None:
        out["last_shift_end"] = _stamp(a.last_shift_end)
    if a.consecutive_days_worked_before:
        out["consecutive_days_worked_before"] = a.consecutive_days_worked_before
    if a.days_off_before:
        out["days_off_before"] = a.days_off_before
    return out


def _preference_document(p: Preference) -> dict[str, Any]:
    if isinstance(p, PreferTemplate):
        return {"template": p.template, "weight": p.weight}
    if isinstance(p, PreferStartWindow):
        out: dict[str, Any] = {"start_window": f"{_hhmm(p.earliest)}-{_hhmm(p.latest)}"}
        if p.weekdays:
            out["weekdays"] = _weekday_text(p.weekdays)
        out["weight"] = p.weight
        return out
    return {"day_off": p.day.isoformat(), "weight": p.weight}


def _pin_document(p: Pin) -> dict[str, Any]:
    out: dict[str, Any] = {"day": p.day.isoformat()}
    if p.off:
        out["off"] = True
    if p.template is not None:
        out["template"] = p.template
    if p.start is not None:
        out["start"] = _hhmm(p.start)
    if p.length_minutes is not None:
        out["length_minutes"] = p.length_minutes
    return out


def _agent_row(a: Agent) -> dict[str, Any]:
    """One agents.csv row in the compact text forms."""
    row: dict[str, Any] = dict.fromkeys(_AGENT_KEYS, "")
    row["agent_id"] = a.agent_id
    row["contract"] = a.contract
    if a.templates is not None:
        row["templates"] = ";".join(a.templates)
    if a.availability is not None:
        if not a.availability:
            raise ValidationError(
                f"agents[{a.agent_id!r}].availability", [], "at least one window for agents.csv"
            )
        row["availability"] = "; ".join(
            f"{WEEKDAY_NAMES[w.weekday]} {_hhmm(w.start)}-{_hhmm(w.end)}" for w in a.availability
        )
    row["time_off"] = "; ".join(f"{_stamp(t.start)}..{_stamp(t.end)}" for t in a.time_off)
    prefs: list[str] = []
    for pref in a.preferences:
        doc = _preference_document(pref)
        prefs.append(
            " ".join(f"{k}={v!r}" if k == "weight" else f"{k}={v}" for k, v in doc.items())
        )
    row["preferences"] = "; ".join(prefs)
    pins: list[str] = []
    for pin in a.pins:
        if pin.off:
            pins.append(f"{pin.day.isoformat()} off")
            continue
        doc = _pin_document(pin)
        doc.pop("day")
        pins.append(" ".join([pin.day.isoformat(), *(f"{k}={v}" for k, v in doc.items())]))
    row["pins"] = "; ".join(pins)
    if a.cost_per_hour is not None:
        row["cost_per_hour"] = repr(float(a.cost_per_hour))
    if a.last_shift_end is not None:
        row["last_shift_end"] = _stamp(a.last_shift_end)
    row["consecutive_days_worked_before"] = a.consecutive_days_worked_before or ""
    row["days_off_before"] = a.days_off_before or ""
    return row


def write_scenario(
    problem: RosterProblem,
    directory: str | Path,
    *,
    name: str = "scenario",
    solver: SolverSettings | Mapping[str, Any] | None = None,
    agents_csv: bool = False,
) -> Path:
    """Write ``problem`` as a scenario that loads back into an equal problem.

    Parameters
    ----------
    problem
        The problem to write.
    directory
        Output directory (created if needed). It receives ``<name>.yaml``,
        ``requirements.csv`` and, with ``agents_csv``, ``agents.csv``.
    name
        Scenario name and YAML file stem.
    solver
        Solver settings to record (a :class:`SolverSettings` or a mapping of
        its fields); ``None`` leaves the section out (defaults apply).
    agents_csv
        Write the agents to ``agents.csv`` (compact text forms) instead of
        inline.

    Returns
    -------
    pathlib.Path
        Path of the YAML file.
    """
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        raise ValidationError("name", name, "a file-name-safe name (letters, digits, _ . -)")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    doc, agents_frame = _problem_document(problem, name=name, solver=solver, agents_csv=agents_csv)
    req = problem.requirements
    columns = ["interval_start", "required_agents"] + [
        c for c in ("calls", "aht_seconds") if c in req.columns
    ]
    table = req.loc[:, columns].copy()
    table["interval_start"] = pd.to_datetime(table["interval_start"]).dt.strftime("%Y-%m-%d %H:%M")
    table.to_csv(out / "requirements.csv", index=False)
    if agents_frame is not None:
        agents_frame.to_csv(out / "agents.csv", index=False)
    path = out / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100),
        encoding="utf-8",
    )
    return path
