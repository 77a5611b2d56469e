"""Loading a scenario: :func:`load_scenario` and the parsers of its sections.

Parsing checks everything the file says, including references between
sections (agents to contracts and templates), and ends with a dry run that
builds the roster problem on empty requirements so that every cross-check of
the problem objects runs before any data file is read.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import ScenarioError, ValidationError
from wfm.queues import QueueSet
from wfm.risk import RiskTarget
from wfm.roster.options import SolverOptions
from wfm.roster.problem import (
    Agent,
    BreakRule,
    Contract,
    PreferTemplate,
    Rule,
    ShiftTemplate,
    Weights,
)
from wfm.scenario.agent_text import (
    parse_agents,
    read_hr_columns,
)
from wfm.scenario.pipeline import (
    Scenario,
)
from wfm.scenario.queue_section import parse_queues
from wfm.scenario.schema import (
    BREAK_KEYS,
    CONTRACT_KEYS,
    RISK_KEYS,
    RULE_NAMES,
    SERVICE_KEYS,
    SOLVER_KEYS,
    TEMPLATE_KEYS,
    TOP_KEYS,
    WEIGHT_KEYS,
    built,
    closest,
    existing_file,
    hhmm,
    read_bool,
    read_date,
    read_int,
    read_list,
    read_mapping,
    read_number,
    read_text,
    read_time,
    read_weekdays,
    read_yaml,
    service_policy,
)
from wfm.scenario.settings import (
    Demand,
    ForecastDemand,
    HistoryDemand,
    RequirementsDemand,
)
from wfm.service import ServicePolicy
from wfm.timegrid import validate_time_zone

__all__ = ["load_scenario"]


def load_scenario(path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario YAML file.

    Parameters
    ----------
    path
        The YAML file; relative paths inside it are resolved against its
        directory.
    overrides
        Entries to set before validation, by YAML path (``service.target``,
        ``solver.time_limit_seconds``, ``templates[0].latest_start``) to a
        YAML value: the file is read as if it said so, so an override is
        checked exactly as the file's own entry would be (an unknown key is
        refused with the closest known one). A missing section on the way is
        created (``weights.paid_hour`` in a file without ``weights``).

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
    document = read_yaml(path)
    if overrides:
        document = _with_overrides(document, overrides)
    return _parse(document, base=path.resolve().parent, path=path)


_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


def _with_overrides(document: Any, overrides: Mapping[str, Any]) -> Any:
    """A copy of ``document`` with each override set at its YAML path."""
    if not isinstance(document, dict):
        return document  # _parse refuses it, naming the file's top level
    document = copy.deepcopy(document)
    for key, value in overrides.items():
        steps: list[str | int] = []
        for part in str(key).split("."):
            match = _SEGMENT.fullmatch(part)
            if match is None:
                raise ScenarioError(
                    str(key), value, "a YAML path such as service.target or templates[0].name"
                )
            steps.append(match.group(1))
            steps.extend(int(i) for i in re.findall(r"\d+", match.group(2)))
        node: Any = document
        for depth, step in enumerate(steps[:-1]):
            where = _path_text(steps[: depth + 1])
            if isinstance(step, int):
                if not isinstance(node, list) or step >= len(node):
                    raise ScenarioError(where, value, f"an item of a list of {_size(node)}")
                node = node[step]
                continue
            if not isinstance(node, dict):
                raise ScenarioError(where, value, "a key inside a mapping")
            if node.get(step) is None and not isinstance(steps[depth + 1], int):
                node[step] = {}  # a section the file leaves out
            node = node.get(step)
        last = steps[-1]
        if isinstance(last, int):
            if not isinstance(node, list) or last >= len(node):
                raise ScenarioError(str(key), value, f"an item of a list of {_size(node)}")
        elif not isinstance(node, dict):
            raise ScenarioError(str(key), value, "a key inside a mapping")
        node[last] = value
    return document


def _path_text(steps: Sequence[str | int]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _size(node: Any) -> str:
    return f"{len(node)} items" if isinstance(node, list) else "items (not a list here)"


def _parse(document: Any, *, base: Path, path: Path | None) -> Scenario:
    top = read_mapping(document, "", TOP_KEYS, required=("demand", "templates", "contracts"))
    if "agents" not in top or top["agents"] is None:
        raise ScenarioError("agents", None, "a list of agents or {csv: PATH} (required)")
    name = read_text(top["name"], "name") if "name" in top else (path.stem if path else "scenario")
    description = str(top.get("description") or "")

    start_date, days, period_key = _parse_period(top)
    interval = read_int(top.get("interval_minutes", 15), "interval_minutes", minimum=1)
    if not (5 <= interval <= 60 and 1440 % interval == 0):
        raise ScenarioError(
            "interval_minutes", interval, "a whole number of minutes from 5 to 60 dividing 1440"
        )

    time_zone = _parse_time_zone(top.get("time_zone"))
    demand = _parse_demand(top["demand"], base, start_date, days)
    queues = _parse_queue_section(top, demand)
    if queues is None:
        service, fractional = _parse_service(top.get("service"), demand, base=base)
    else:
        service, fractional = None, False

    templates = _parse_templates(top["templates"], interval)
    contracts = _parse_contracts(top["contracts"])
    agents, notes = parse_agents(top["agents"], base)
    _check_references(agents, notes, templates, contracts, start_date, days)
    _check_skills(agents, notes, queues)

    rules = read_mapping(top.get("rules") or {}, "rules", ("soft",))
    soft_raw = read_mapping(rules.get("soft") or {}, "rules.soft", RULE_NAMES)
    soft_rules = {
        Rule(key): read_number(value, f"rules.soft.{key}", minimum=0.0)
        for key, value in soft_raw.items()
    }

    weights_raw = read_mapping(top.get("weights") or {}, "weights", WEIGHT_KEYS)
    weight_args: dict[str, Any] = {}
    for key, value in weights_raw.items():
        if key == "understaffing_growth":
            weight_args[key] = tuple(
                read_number(v, f"weights.{key}[{i}]", minimum=0.0, exclusive_minimum=True)
                for i, v in enumerate(read_list(value, f"weights.{key}"))
            )
        else:
            weight_args[key] = read_number(value, f"weights.{key}", minimum=0.0)
    weights = built("weights", lambda: Weights(**weight_args))

    fairness = read_mapping(
        top.get("fairness") or {}, "fairness", ("weekend_days", "late_shift_ends_after")
    )
    weekend_days = (
        read_weekdays(fairness["weekend_days"], "fairness.weekend_days")
        if "weekend_days" in fairness
        else frozenset({5, 6})
    )
    late = (
        read_time(fairness["late_shift_ends_after"], "fairness.late_shift_ends_after")
        if "late_shift_ends_after" in fairness
        else dt.time(20, 0)
    )

    solver_raw = read_mapping(top.get("solver") or {}, "solver", SOLVER_KEYS)
    solver_args: dict[str, Any] = {}
    for key, value in solver_raw.items():
        if value is None:
            continue
        if key == "lexicographic":
            solver_args[key] = read_bool(value, f"solver.{key}")
        elif key in ("workers", "seed"):
            solver_args[key] = read_int(
                value, f"solver.{key}", minimum=1 if key == "workers" else 0
            )
        else:
            solver_args[key] = read_number(
                value, f"solver.{key}", minimum=0.0, exclusive_minimum=True
            )
    try:
        solver = SolverOptions(**solver_args)
    except ValidationError as exc:
        raise ScenarioError(f"solver.{exc.field}", exc.value, exc.expected) from None

    risk = _parse_risk(top.get("risk"), service)
    if risk is not None and queues is not None:
        raise ScenarioError(
            "risk", "a risk section", "nothing with queues (the risk loop plans one queue)"
        )

    scenario = Scenario(
        name=name,
        path=path,
        start_date=start_date,
        days=days,
        interval_minutes=interval,
        time_zone=time_zone,
        demand=demand,
        service=service,
        fractional_requirements=fractional,
        templates=templates,
        contracts=contracts,
        agents=agents,
        weights=weights,
        soft_rules=soft_rules,
        weekend_days=weekend_days,
        late_shift_ends_after=late,
        solver=solver,
        description=description,
        risk=risk,
        agent_details=read_hr_columns(top["agents"], base),
        queues=queues,
    )
    _dry_run(scenario, notes, period_key)
    return scenario


def _parse_queue_section(top: Mapping[str, Any], demand: Demand) -> QueueSet | None:
    """The ``queues`` list and ``shrinkage`` (see :mod:`wfm.scenario.queue_section`)."""
    if top.get("queues") is None:
        if top.get("shrinkage") is not None:
            raise ScenarioError(
                "shrinkage",
                top["shrinkage"],
                "nothing without queues (one queue: give service.shrinkage)",
            )
        return None
    if top.get("service") is not None:
        raise ScenarioError(
            "service",
            "a service section",
            "nothing with queues: each queue has its service, and the centre its shrinkage",
        )
    if isinstance(demand, HistoryDemand):
        raise ScenarioError(
            "demand.history",
            str(demand.path.name),
            "demand.forecast or demand.requirements with queues (a table with a queue column)",
        )
    return parse_queues(top["queues"], top.get("shrinkage"))


def _check_skills(agents: Sequence[Agent], notes: Sequence[str], queues: QueueSet | None) -> None:
    """Every skill names a queue of the scenario, each at most once per agent."""
    for i, agent in enumerate(agents):
        if agent.skills is None:
            continue
        where = f"agents[{i}].skills"
        if queues is None:
            raise ScenarioError(
                where + notes[i],
                ";".join(s.queue for s in agent.skills),
                "nothing without a queues section (one queue: every agent serves it)",
            )
        names = list(queues.names)
        seen: set[str] = set()
        for k, skill in enumerate(agent.skills):
            if skill.queue not in names:
                raise ScenarioError(
                    f"{where}[{k}].queue{notes[i]}",
                    skill.queue,
                    f"a queue of the scenario: {closest(skill.queue, names)}",
                )
            if skill.queue in seen:
                raise ScenarioError(
                    f"{where}[{k}].queue{notes[i]}", skill.queue, "each queue at most once"
                )
            seen.add(skill.queue)


def _parse_time_zone(value: Any) -> str | None:
    """The ``time_zone`` key: an IANA name, or none."""
    if value is None:
        return None
    try:
        return validate_time_zone(value if isinstance(value, str) else repr(value))
    except ValidationError as exc:
        raise ScenarioError("time_zone", value, exc.expected) from None


def _parse_demand(value: Any, base: Path, start: dt.date, days: int) -> Demand:
    kinds = ("history", "forecast", "requirements")
    section = read_mapping(value, "demand", kinds)
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
    spec = read_mapping(raw, where, known[kind], required=("path",))
    file = existing_file(spec["path"], f"{where}.path", base)
    aht = (
        read_number(
            spec["default_aht_seconds"],
            f"{where}.default_aht_seconds",
            minimum=0.0,
            exclusive_minimum=True,
        )
        if spec.get("default_aht_seconds") is not None
        else None
    )
    if kind == "requirements":
        column = read_text(spec["column"], f"{where}.column") if spec.get("column") else None
        return RequirementsDemand(path=file, column=column)
    if kind == "forecast":
        return ForecastDemand(path=file, default_aht_seconds=aht)
    method = read_text(spec.get("method", "auto"), f"{where}.method")
    params = read_mapping(
        spec.get("params") or {}, f"{where}.params", _forecaster_params(method, where)
    )
    special = tuple(
        read_date(v, f"{where}.special_days[{i}]")
        for i, v in enumerate(read_list(spec.get("special_days") or [], f"{where}.special_days"))
    )
    multipliers_raw = spec.get("multipliers") or {}
    if not isinstance(multipliers_raw, dict):
        raise ScenarioError(f"{where}.multipliers", multipliers_raw, "a mapping date: factor")
    multipliers: dict[dt.date, float] = {}
    week_dates = {start + dt.timedelta(days=d) for d in range(days)}
    for key, factor in multipliers_raw.items():
        day = read_date(key, f"{where}.multipliers")
        if day not in week_dates:
            raise ScenarioError(
                f"{where}.multipliers",
                str(day),
                f"a date of the week {min(week_dates)} .. {max(week_dates)}",
            )
        multipliers[day] = read_number(factor, f"{where}.multipliers[{day}]", minimum=0.0)
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
        raise ScenarioError(f"{where}.method", method, closest(method, list(classes)))
    names = set(inspect.signature(classes[method]).parameters) - {
        "self",
        "special_days",
        "multipliers",
        "default_aht_seconds",
        "candidates",
    }
    return tuple(sorted(names))


def _patience_from(value: Any, base: Path) -> float:
    """The mean patience in the ``summary.json`` that ``wfm actuals`` wrote."""
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError("service.patience_from", value, "the path of an actuals summary.json")
    path = Path(value) if Path(value).is_absolute() else base / value
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError(
            "service.patience_from", value, f"a readable JSON summary of wfm actuals ({exc})"
        ) from None
    patience = summary.get("patience") if isinstance(summary, dict) else None
    seconds = patience.get("patience_seconds") if isinstance(patience, dict) else None
    if not (
        isinstance(seconds, (int, float))
        and not isinstance(seconds, bool)
        and math.isfinite(seconds)
        and seconds > 0
    ):
        raise ScenarioError(
            "service.patience_from",
            value,
            f"a summary whose patience.patience_seconds is a number > 0 (got {seconds!r}: too "
            "few abandoned calls to estimate it?)",
        )
    return float(seconds)


def _parse_service(value: Any, demand: Demand, *, base: Path) -> tuple[ServicePolicy | None, bool]:
    """The ``service`` section: its :class:`ServicePolicy`, and ``fractional``.

    The policy validates itself; an error is only renamed to its YAML key
    (``service.target`` for the policy's ``level``). ``patience_from`` reads
    the patience estimate of an actuals ``summary.json``; a patience (given
    or read) makes the model Erlang A unless ``model`` is given.
    """
    if value is None:
        if isinstance(demand, RequirementsDemand):
            return None, False
        raise ScenarioError(
            "service", None, "a service section (required when demand is history or forecast)"
        )
    raw = read_mapping(value, "service", SERVICE_KEYS)
    fractional = (
        read_bool(raw["fractional"], "service.fractional") if "fractional" in raw else False
    )
    if isinstance(demand, RequirementsDemand):
        for key in ("fractional", "max_occupancy"):
            if key in raw:
                raise ScenarioError(
                    f"service.{key}", raw[key], "nothing: demand is requirements (no staffing run)"
                )
    given: dict[str, Any] = {}
    if "patience_from" in raw:
        if "patience_seconds" in raw:
            raise ScenarioError(
                "service.patience_from",
                raw["patience_from"],
                "nothing when patience_seconds is given (one source of patience)",
            )
        if raw.get("model") == "erlang_c":
            raise ScenarioError(
                "service.patience_from",
                raw["patience_from"],
                "nothing with model erlang_c (callers never abandon); drop one of them",
            )
        given["patience_seconds"] = _patience_from(raw["patience_from"], base)
    policy = service_policy(raw, "service", **given)
    return policy, fractional


def _parse_risk(value: Any, service: ServicePolicy | None) -> RiskTarget | None:
    """The ``risk`` section: the share of weeks (days) that must meet the service target."""
    if value is None:
        return None
    raw = read_mapping(value, "risk", RISK_KEYS, required=("share",))
    if service is None or service.level is None:
        raise ScenarioError(
            "risk", dict(raw), "a service section with a target to meet in a share of weeks"
        )
    args: dict[str, Any] = {}
    for key, item in raw.items():
        where = f"risk.{key}"
        if key == "share":
            ok = isinstance(item, int | float) and not isinstance(item, bool) and 0 < item < 1
            if not ok:
                raise ScenarioError(where, item, "a share of weeks in (0, 1), e.g. 0.9")
            args[key] = float(item)
        elif key == "period":
            if item not in ("week", "day"):
                raise ScenarioError(where, item, "'week' or 'day'")
            args[key] = item
        elif key in ("max_rounds", "seed"):
            args[key] = read_int(item, where, minimum=0)
        elif key in ("replications", "workers"):
            args[key] = read_int(item, where, minimum=2 if key == "replications" else 1)
        elif key == "handle_cv":
            args[key] = read_number(item, where, minimum=0.0, exclusive_minimum=True)
        else:
            args[key] = read_number(item, where, minimum=0.0)
    return built("risk", lambda: RiskTarget(**args))


def _parse_templates(value: Any, interval: int) -> tuple[ShiftTemplate, ...]:
    items = read_list(value, "templates")
    if not items:
        raise ScenarioError("templates", [], "at least one shift template")
    out: list[ShiftTemplate] = []
    for i, item in enumerate(items):
        where = f"templates[{i}]"
        raw = read_mapping(
            item,
            where,
            TEMPLATE_KEYS,
            required=("name", "earliest_start", "latest_start", "min_length_minutes"),
        )
        args: dict[str, Any] = {"name": read_text(raw["name"], f"{where}.name")}
        for key in ("earliest_start", "latest_start"):
            args[key] = read_time(raw[key], f"{where}.{key}")
        for key in (
            "start_step_minutes",
            "min_length_minutes",
            "max_length_minutes",
            "length_step_minutes",
        ):
            if raw.get(key) is not None:
                minutes = read_int(raw[key], f"{where}.{key}", minimum=1)
                if minutes % interval:
                    raise ScenarioError(
                        f"{where}.{key}", minutes, f"a multiple of interval_minutes ({interval})"
                    )
                args[key] = minutes
        if "weekdays" in raw:
            args["weekdays"] = read_weekdays(raw["weekdays"], f"{where}.weekdays")
        breaks: list[BreakRule] = []
        for j, b in enumerate(read_list(raw.get("breaks") or [], f"{where}.breaks")):
            bw = f"{where}.breaks[{j}]"
            braw = read_mapping(
                b,
                bw,
                BREAK_KEYS,
                required=(
                    "name",
                    "duration_minutes",
                    "earliest_start_after_minutes",
                    "latest_start_after_minutes",
                ),
            )
            bargs: dict[str, Any] = {"name": read_text(braw["name"], f"{bw}.name")}
            for key in (
                "duration_minutes",
                "earliest_start_after_minutes",
                "latest_start_after_minutes",
            ):
                minutes = read_int(braw[key], f"{bw}.{key}", minimum=0)
                if minutes % interval:
                    raise ScenarioError(
                        f"{bw}.{key}", minutes, f"a multiple of interval_minutes ({interval})"
                    )
                bargs[key] = minutes
            if "paid" in braw:
                bargs["paid"] = read_bool(braw["paid"], f"{bw}.paid")
            breaks.append(built(bw, partial(BreakRule, **bargs)))
        args["breaks"] = tuple(breaks)
        for key in ("earliest_start", "latest_start"):
            minutes = args[key].hour * 60 + args[key].minute
            if minutes % interval or args[key].second:
                raise ScenarioError(
                    f"{where}.{key}", hhmm(args[key]), f"a time on the {interval}-minute grid"
                )
        out.append(built(where, partial(ShiftTemplate, **args)))
    _unique([t.name for t in out], "templates", "name")
    return tuple(out)


def _unique(names: Sequence[str], where: str, key: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ScenarioError(f"{where}[{i}].{key}", name, "a name not used before in the list")
        seen.add(name)


def _parse_period(top: dict[str, Any]) -> tuple[dt.date, int, str]:
    """Start date, days and the key (``period``, or the older ``week``) of the planning period."""
    given = [key for key in ("period", "week") if key in top]
    if not given:
        raise ScenarioError("period", None, "a mapping {start: DATE, days: N} (required)")
    if len(given) > 1:
        raise ScenarioError("week", top["week"], "no 'week' next to 'period' (the same setting)")
    key = given[0]
    period = read_mapping(top[key], key, ("start", "days"), required=("start",))
    start_date = read_date(period["start"], f"{key}.start")
    days = read_int(period.get("days", 7), f"{key}.days", minimum=1)
    if not (days <= 7 or (days % 7 == 0 and days <= 42)):
        raise ScenarioError(
            f"{key}.days", days, "a whole number of days in [1, 7], or 14, 21, 28, 35 or 42"
        )
    return start_date, days, key


def _parse_contracts(value: Any) -> tuple[Contract, ...]:
    items = read_list(value, "contracts")
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
        raw = read_mapping(item, where, CONTRACT_KEYS, required=("name",))
        args: dict[str, Any] = {"name": read_text(raw["name"], f"{where}.name")}
        for key, v in raw.items():
            if key == "name":
                continue
            if key in ints:
                args[key] = read_int(v, f"{where}.{key}", minimum=0)
            elif key == "max_hours_per_period" and v is None:
                args[key] = None  # null: no limit over the period
            else:
                args[key] = read_number(v, f"{where}.{key}", minimum=0.0)
        out.append(built(where, partial(Contract, **args)))
    _unique([c.name for c in out], "contracts", "name")
    return tuple(out)


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
                f"a contract of the scenario: {closest(agent.contract, contract_names)}",
            )
        for k, name in enumerate(agent.templates or ()):
            if name not in template_names:
                raise ScenarioError(
                    f"{where}.templates[{k}]{note}",
                    name,
                    f"a template of the scenario: {closest(name, template_names)}",
                )
        for k, p in enumerate(agent.preferences):
            if isinstance(p, PreferTemplate) and p.template not in template_names:
                raise ScenarioError(
                    f"{where}.preferences[{k}].template{note}",
                    p.template,
                    f"a template of the scenario: {closest(p.template, template_names)}",
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
                    f"a template of the scenario: {closest(pin.template, template_names)}",
                )


def _dry_run(scenario: Scenario, notes: Sequence[str], period_key: str) -> None:
    """Build the problem on empty requirements so every cross-check runs now."""
    columns: dict[str, pd.Series] = {
        "interval_start": pd.Series([], dtype="datetime64[ns]"),
        "required_scheduled": pd.Series([], dtype=float),
    }
    if scenario.queues is not None:
        columns["queue"] = pd.Series([], dtype=object)
        columns["work_scheduled_agent_hours"] = pd.Series([], dtype=float)
    empty = pd.DataFrame(columns)
    try:
        scenario.problem_from_requirements(empty)
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
            where = f"{period_key}.days"
        elif where == "start_date":
            where = f"{period_key}.start"
        raise ScenarioError(where, exc.value, exc.expected) from None
