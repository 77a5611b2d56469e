"""Reading scenario YAML: the loader, the primitive value readers and the known keys.

Every reader takes the raw YAML value and its YAML path (``templates[0].name``)
and either returns the typed value or raises :class:`wfm.errors.ScenarioError`
naming that path, the value and what was expected.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import yaml

from wfm.errors import ScenarioError, ValidationError
from wfm.roster.problem import (
    WEEKDAY_NAMES,
    Agent,
    BreakRule,
    Contract,
    Rule,
    ShiftTemplate,
    Weights,
)
from wfm.service import ServicePolicy

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


#: Largest scenario file read, in bytes: a scenario is a page of settings, its
#: tables live in CSV files beside it.
MAX_SCENARIO_BYTES = 10 * 1024**2


def read_yaml(path: Path) -> Any:
    """Parse the YAML file at ``path``; a syntax error is a ScenarioError naming the line.

    The file is at most ``MAX_SCENARIO_BYTES`` and UTF-8 text; nesting deeper
    than the parser can follow (thousands of levels) is refused in one line.
    Aliases are kept as shared references, so an alias "bomb" costs no memory
    here, and messages never print a value in full.
    """
    if path.is_file() and path.stat().st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            str(path), f"{path.stat().st_size:,} bytes", f"at most {MAX_SCENARIO_BYTES:,} bytes"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            str(path), f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}", "UTF-8 text"
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except RecursionError:
        raise ScenarioError(
            str(path), "values nested thousands of levels deep", "a scenario of plain settings"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        raise ScenarioError(where, exc.problem, "valid YAML") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), str(exc), "valid YAML") from None


# ----------------------------------------------------------------------------- value parsers


def closest(key: str, known: Sequence[str]) -> str:
    """The ``expected`` text listing ``known`` keys, with the closest one as a hint."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"one of {', '.join(known)}{hint}"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def read_mapping(
    value: Any, path: str, known: Sequence[str], *, required: Sequence[str] = ()
) -> dict[str, Any]:
    """``value`` as a mapping whose keys are all in ``known`` and include ``required``."""
    if not isinstance(value, dict):
        raise ScenarioError(path or "scenario", value, "a mapping of keys to values")
    for key in value:
        if not isinstance(key, str):
            raise ScenarioError(_join(path, str(key)), key, "a text key")
        if key not in known:
            raise ScenarioError(_join(path, key), key, f"a known key: {closest(key, known)}")
    for key in required:
        if key not in value or value[key] is None:
            raise ScenarioError(_join(path, key), None, "a value (required)")
    return value


def read_list(value: Any, path: str) -> list[Any]:
    """``value`` as a list."""
    if not isinstance(value, list):
        raise ScenarioError(path, value, "a list")
    return value


def read_text(value: Any, path: str) -> str:
    """``value`` as a non-empty text, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(path, value, "a non-empty text")
    return value.strip()


def read_bool(value: Any, path: str) -> bool:
    """``value`` as true or false."""
    if not isinstance(value, bool):
        raise ScenarioError(path, value, "true or false")
    return value


def read_int(value: Any, path: str, *, minimum: int | None = None) -> int:
    """``value`` as a whole number (``3.0`` is accepted), optionally ``>= minimum``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ScenarioError(path, value, "a whole number")
    if minimum is not None and value < minimum:
        raise ScenarioError(path, value, f"a whole number >= {minimum}")
    return value


def read_number(
    value: Any,
    path: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> float:
    """``value`` as a finite number within the given limits."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ScenarioError(path, value, "a finite number")
    if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
        raise ScenarioError(path, value, f"a number {'>' if exclusive_minimum else '>='} {minimum}")
    if maximum is not None and value > maximum:
        raise ScenarioError(path, value, f"a number <= {maximum}")
    return float(value)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def read_time(value: Any, path: str) -> dt.time:
    """``value`` as a clock time ``"HH:MM"`` (or ``"HH:MM:SS"``)."""
    if isinstance(value, dt.time):
        return value
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ScenarioError(path, value, 'a clock time "HH:MM"')
    hour, minute, second = (int(g) if g else 0 for g in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise ScenarioError(path, value, 'a clock time "HH:MM" from 00:00 to 23:59')
    return dt.time(hour, minute, second)


def read_date(value: Any, path: str) -> dt.date:
    """``value`` as a date ``YYYY-MM-DD`` without a time."""
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


def read_datetime(value: Any, path: str) -> dt.datetime:
    """``value`` as a local date-time ``"YYYY-MM-DD HH:MM"``."""
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


def read_weekdays(value: Any, path: str) -> frozenset[int]:
    """Weekdays (0 = Monday) from a list or a text such as ``"Mon-Fri,Sun"``."""
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


def existing_file(value: Any, where: str, base: Path) -> Path:
    """``value`` as the path of an existing file, relative to ``base`` unless absolute."""
    text = read_text(value, where)
    file = (base / text).resolve() if not Path(text).is_absolute() else Path(text)
    if not file.is_file():
        raise ScenarioError(
            where, text, f"an existing file (looked for {file.name} in {file.parent})"
        )
    return file


# ----------------------------------------------------------------------------- formatting


def hhmm(t: dt.time) -> str:
    """A clock time as ``HH:MM`` (``HH:MM:SS`` when it has seconds)."""
    return f"{t:%H:%M:%S}" if t.second else f"{t:%H:%M}"


def stamp(t: dt.datetime) -> str:
    """A date-time as ``YYYY-MM-DD HH:MM`` (with ``:SS`` when it has seconds)."""
    return f"{t:%Y-%m-%d %H:%M:%S}" if t.second else f"{t:%Y-%m-%d %H:%M}"


def weekday_text(days: frozenset[int]) -> str:
    """The compact text of ``days`` (``"Mon-Fri,Sun"``), read back by :func:`read_weekdays`."""
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


# ----------------------------------------------------------------------------- problem objects


def built(path: str, build: Callable[[], T], *, note: str = "") -> T:
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


# ----------------------------------------------------------------------------- known keys

TOP_KEYS = (
    "name",
    "description",
    "period",
    "week",
    "interval_minutes",
    "time_zone",
    "demand",
    "service",
    "templates",
    "contracts",
    "agents",
    "rules",
    "weights",
    "fairness",
    "solver",
    "risk",
    "queues",
    "shrinkage",
)
TEMPLATE_KEYS = tuple(f.name for f in fields(ShiftTemplate))
BREAK_KEYS = tuple(f.name for f in fields(BreakRule))
CONTRACT_KEYS = tuple(f.name for f in fields(Contract))
AGENT_KEYS = tuple(f.name for f in fields(Agent))
WEIGHT_KEYS = tuple(f.name for f in fields(Weights))
RISK_KEYS = (
    "share",
    "period",
    "max_rounds",
    "replications",
    "seed",
    "workers",
    "day_volume_cv",
    "handle_cv",
)
"""Keys of the ``risk`` section: fields of :class:`wfm.risk.RiskTarget`."""
SOLVER_KEYS = ("time_limit_seconds", "workers", "seed", "max_deterministic_time", "lexicographic")
"""Keys of the ``solver`` section: fields of :class:`wfm.roster.options.SolverOptions`."""
#: Fields of :class:`wfm.service.ServicePolicy` named differently in the
#: ``service`` section (field -> YAML key).
SERVICE_KEY_OF_FIELD = {"level": "target"}


#: The ``service`` section's keys: the policy's fields under their YAML names,
#: ``fractional`` (roster the fractional requirement: a staffing choice) and
#: ``patience_from`` (the patience estimate of an actuals ``summary.json``).
def service_policy(raw: Mapping[str, Any], where: str, **given: Any) -> ServicePolicy:
    """The :class:`ServicePolicy` of a service mapping (YAML keys, ``target`` for ``level``).

    ``given`` are fields set by the caller (the centre's shrinkage, a
    patience read from a file), over what ``raw`` says. The policy validates
    itself; an error is only renamed to its YAML key under ``where``.
    """
    args: dict[str, Any] = {"level": None, "answer_within_seconds": None}
    for f in fields(ServicePolicy):
        key = SERVICE_KEY_OF_FIELD.get(f.name, f.name)
        if key in raw:
            args[f.name] = raw[key]
    args.update(given)
    try:
        return ServicePolicy(**args)
    except ValidationError as exc:
        key = SERVICE_KEY_OF_FIELD.get(exc.field, exc.field)
        raise ScenarioError(f"{where}.{key}", exc.value, exc.expected) from None


SERVICE_KEYS = (
    *(SERVICE_KEY_OF_FIELD.get(f.name, f.name) for f in fields(ServicePolicy)),
    "fractional",
    "patience_from",
)
RULE_NAMES = tuple(r.value for r in Rule)


def read_yaml_value(text: str) -> Any:
    """One value typed on a command line, read as the scenario loader reads YAML.

    ``"0.8"`` is a number, ``"true"`` a boolean, ``"08:00"`` a text (not the
    YAML 1.1 sexagesimal 480), ``"[Mon, Tue]"`` a list.
    """
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ScenarioError("value", text, f"a YAML value ({' '.join(str(exc).split())})") from None
