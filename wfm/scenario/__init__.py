"""A YAML scenario that describes one planning week and runs the whole path.

A scenario file names where demand comes from (a history, a forecast or
ready-made requirements), the service target, the shift templates, the
contracts, the agents, the weights of the soft terms and the solver
settings. :func:`load_scenario` reads and validates all of it before any
work starts; :meth:`Scenario.build_problem` then does the heavy part
(reading the history, forecasting, Erlang staffing) and returns a
:class:`wfm.roster.RosterProblem`; :meth:`Scenario.pipeline` also returns the
intermediate tables. :func:`write_scenario` writes a problem back as a
scenario that loads into an equal problem. ``load_scenario(path,
overrides={"service.target": 0.85})`` reads the file as if it said so (the
what-if cases of :mod:`wfm.sweep`), and
:meth:`Scenario.requirements_from_forecast` staffs a forecast made or
changed elsewhere.

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
``period``
    ``start`` (date, first day of the horizon, any weekday), ``days``
    (default 7): one week (1-7 days) or a planning period of whole weeks
    (14, 21, 28, 35 or 42 days). The period's calendar weeks start on its
    start day: the contracts' ``*_per_week`` limits, ``max_weekend_days``
    and ``min_consecutive_days_off`` hold in each of them, and
    ``min_hours_per_period`` / ``max_hours_per_period`` over the whole
    period (``null``: no limit). ``week`` is the older name of this key and
    is still read (give one of the two).
``interval_minutes``
    Grid of the roster (default 15). History is aggregated to it.
``time_zone``
    IANA name of the centre's clocks (e.g. ``Europe/Stockholm``; default
    none: clocks never change). Days are then local days, 23 or 25 hours
    long on a clock change (92 or 100 intervals of 15 minutes); shifts
    start at local clock times and are paid by elapsed time (a start the
    spring change skips is dropped for that day, a start in the repeated
    autumn hour is its first occurrence, see :mod:`wfm.timegrid`); the
    timestamps of history, forecast and requirements files may carry UTC
    offsets or be naive local time of the zone; written tables carry
    offsets.
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
    - ``requirements: {path, column}``: required scheduled agents per
      interval (``interval_start`` and ``column``, default
      ``required_scheduled``; a file with the names used before 0.2,
      ``required_agents`` or else ``agents_scheduled``, is read too, with a
      note; ``calls`` and ``aht_seconds`` are used for reporting when
      present), covering the week only.
``service``
    ``target`` (service level in (0, 1), e.g. 0.8), ``answer_within_seconds``
    (e.g. 20), ``max_asa_seconds``, ``max_abandon_rate``, ``model``
    (``erlang_c`` or ``erlang_a``; default ``erlang_a`` when a patience is
    known, else ``erlang_c``), ``patience_seconds`` (mean patience of callers,
    Erlang A), ``patience_from`` (instead of ``patience_seconds``: the path,
    relative to the scenario file, of a ``summary.json`` written by
    ``wfm actuals``, whose ``patience.patience_seconds`` estimate is used),
    ``shrinkage`` (default 0), ``fractional`` (default false: round each
    interval up; true: use the continuous requirement), ``max_occupancy``.
    Everything but ``fractional`` and ``patience_from`` is a
    :class:`wfm.service.ServicePolicy`
    (``target`` is its ``level``), which checks the values.
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
    Either a list of agents (below) or ``{csv: PATH}``, optionally with
    ``hr_columns: [site, manager, ...]``: columns of the CSV that are not
    agent fields and are carried, unchanged, to ``agents.csv`` and
    ``roster.csv`` of ``wfm roster`` (``name`` and ``team`` are accepted
    without being named).
``rules``
    ``soft: {RULE: penalty}`` makes labour rules soft (rule names as
    :class:`wfm.roster.Rule` values, e.g. ``min_rest``); others stay hard.
``weights``
    Keys as :class:`wfm.roster.Weights`.
``fairness``
    ``weekend_days`` (default ``[Sat, Sun]``), ``late_shift_ends_after``
    (default ``"20:00"``).
``solver``
    As :class:`wfm.roster.options.SolverOptions`: ``time_limit_seconds``
    (60), ``workers`` (default: the machine's cores), ``seed`` (0),
    ``max_deterministic_time`` (none), ``lexicographic`` (``false``: the
    weighted objective; ``true``: first the least under-staffing).
``risk``
    Optional; as :class:`wfm.risk.RiskTarget`: ``share`` (required, in
    (0, 1): the share of simulated weeks, or days, whose service level must
    reach the ``service`` target), ``period`` (``week`` or ``day``, default
    ``week``), ``max_rounds`` (4: most raises of the requirement),
    ``replications`` (40 simulated weeks per round), ``seed`` (0, of the
    simulation), ``workers`` (1), ``day_volume_cv`` (0: Poisson variance
    only; e.g. 0.1 for a 10 % day-level forecast error), ``handle_cv``
    (lognormal handle times; default exponential). Needs a ``service``
    target and calls to simulate. ``wfm roster --share-of-weeks P`` /
    ``--share-of-days P`` override ``share`` and ``period``. See
    :func:`wfm.risk.roster_for_share`.

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
    solver: {time_limit_seconds: 60, seed: 0}
"""

from wfm.scenario.parse import load_scenario
from wfm.scenario.pipeline import Scenario, ScenarioRun
from wfm.scenario.settings import (
    Demand,
    ForecastDemand,
    HistoryDemand,
    RequirementsDemand,
)
from wfm.scenario.writer import write_scenario

__all__ = [
    "Demand",
    "ForecastDemand",
    "HistoryDemand",
    "RequirementsDemand",
    "Scenario",
    "ScenarioRun",
    "load_scenario",
    "write_scenario",
]
