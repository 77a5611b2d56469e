"""A catalogue of bad inputs to every command of ``wfm``, with what each must say.

Each :class:`Case` builds its input files in a fresh directory, runs one
command line and states the exit code and the words the one-line error must
contain (the option, field, column or rule at fault). Legitimate inputs that
look odd are here too, with exit code 0. ``tests/test_bad_inputs.py`` runs
the catalogue; cases that could hang or exhaust memory run in a child process
under a time and memory limit.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CASES", "Case"]

Build = Callable[[Path], list[str]]


@dataclass(frozen=True)
class Case:
    """One bad input: how to build it and what the command must answer.

    Attributes
    ----------
    id
        Test id, ``<input>-<what is wrong>``.
    build
        Writes the input files into the directory it gets and returns the
        command line (without the leading ``wfm``).
    exit_code
        2 for bad input, 1 for an infeasible roster, 0 for legitimate input.
    names
        Words the error line must contain (case-insensitive); for a
        legitimate input, words a note on standard error must contain.
    isolated
        Run in a child process under a memory and time limit.
    """

    id: str
    build: Build
    exit_code: int = 2
    names: tuple[str, ...] = ()
    isolated: bool = False
    tags: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- builders

WEEK_START = "2027-01-04"


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _history_text(days: int = 28, *, step_minutes: int = 15, calls: str = "10") -> str:
    lines = ["interval_start,calls,aht_seconds"]
    import datetime as dt

    first = dt.datetime(2026, 12, 7, 8, 0)
    for d in range(days):
        for k in range(0, 8 * 60, step_minutes):
            stamp = first + dt.timedelta(days=d, minutes=k)
            lines.append(f"{stamp:%Y-%m-%d %H:%M},{calls},300")
    return "\n".join(lines) + "\n"


def _forecast_text(*, calls: str = "10", rows: int = 32, step_minutes: int = 15) -> str:
    import datetime as dt

    lines = ["interval_start,calls,aht_seconds,is_open"]
    first = dt.datetime(2027, 1, 4, 8, 0)
    for k in range(rows):
        stamp = first + dt.timedelta(minutes=k * step_minutes)
        lines.append(f"{stamp:%Y-%m-%d %H:%M},{calls},300,true")
    return "\n".join(lines) + "\n"


def _requirements_text(*, value: str = "2", step_minutes: int = 15, days: int = 7) -> str:
    import datetime as dt

    lines = ["interval_start,required_scheduled"]
    first = dt.datetime(2027, 1, 4)
    for d in range(days):
        for k in range(0, 24 * 60, step_minutes):
            stamp = first + dt.timedelta(days=d, minutes=k)
            need = value if 9 * 60 <= k < 16 * 60 else "0"
            lines.append(f"{stamp:%Y-%m-%d %H:%M},{need}")
    return "\n".join(lines) + "\n"


def _base_scenario() -> dict[str, Any]:
    return {
        "name": "bad-input",
        "week": {"start": WEEK_START, "days": 7},
        "interval_minutes": 15,
        "demand": {"requirements": {"path": "requirements.csv"}},
        "templates": [
            {
                "name": "day",
                "earliest_start": "08:00",
                "latest_start": "09:00",
                "start_step_minutes": 60,
                "min_length_minutes": 480,
                "weekdays": "Mon-Sun",
                "breaks": [
                    {
                        "name": "lunch",
                        "duration_minutes": 30,
                        "paid": False,
                        "earliest_start_after_minutes": 180,
                        "latest_start_after_minutes": 300,
                    }
                ],
            }
        ],
        "contracts": [
            {
                "name": "full",
                "min_hours_per_week": 0,
                "max_hours_per_week": 40,
                "max_days_per_week": 5,
                "min_rest_hours": 11,
            }
        ],
        "agents": [
            {"agent_id": "a1", "contract": "full"},
            {"agent_id": "a2", "contract": "full"},
            {"agent_id": "a3", "contract": "full"},
        ],
        "solver": {"time_limit_seconds": 5, "workers": 1, "seed": 0},
    }


def _set(tree: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[0].c`` in a nested mapping; ``value=DELETE`` removes the key."""
    node: Any = tree
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    if value is DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


DELETE = object()


def scenario(
    edits: dict[str, Any] | None = None,
    *,
    requirements: str | None = None,
    files: dict[str, str | bytes] | None = None,
    raw: str | None = None,
    extra_args: tuple[str, ...] = (),
) -> Build:
    """A ``wfm roster`` run of the small base scenario with ``edits`` applied."""

    def build(tmp: Path) -> list[str]:
        _write(tmp / "requirements.csv", requirements or _requirements_text())
        for name, text in (files or {}).items():
            _write(tmp / name, text)
        if raw is not None:
            _write(tmp / "scenario.yaml", raw)
        else:
            tree = copy.deepcopy(_base_scenario())
            for path, value in (edits or {}).items():
                _set(tree, path, value)
            _write(tmp / "scenario.yaml", yaml.safe_dump(tree, sort_keys=False))
        return ["roster", str(tmp / "scenario.yaml"), "-o", str(tmp / "out"), *extra_args]

    return build


def agents_csv(text: str) -> Build:
    """The base scenario with its agents read from ``text`` as agents.csv."""
    return scenario({"agents": {"csv": "agents.csv"}}, files={"agents.csv": text})


def erlang(*args: str) -> Build:
    """A ``wfm erlang`` run with ``args`` after ``--aht-seconds 300 --calls 100`` defaults."""

    def build(tmp: Path) -> list[str]:
        given = list(args)
        if "--calls" not in given:
            given += ["--calls", "100"]
        if "--aht-seconds" not in given:
            given += ["--aht-seconds", "300"]
        return ["erlang", *given]

    return build


def forecast(history: str | bytes | None = None, *args: str, output: str = "forecast.csv") -> Build:
    """A ``wfm forecast`` run of ``history`` (default: four clean weeks)."""

    def build(tmp: Path) -> list[str]:
        _write(tmp / "history.csv", _history_text() if history is None else history)
        target = output if output.startswith("/") else str(tmp / output)
        if "{tmp}" in output:
            target = output.format(tmp=tmp)
        given = [a.format(tmp=tmp) for a in args]
        return ["forecast", str(tmp / "history.csv"), "-o", target, *given]

    return build


def special_days(text: str) -> Build:
    def build(tmp: Path) -> list[str]:
        _write(tmp / "special.csv", text)
        return forecast(None, "--special-days", "{tmp}/special.csv")(tmp)

    return build


def requirements(text: str | None = None, *args: str, output: str | None = None) -> Build:
    """A ``wfm requirements`` run of a forecast CSV ``text``."""

    def build(tmp: Path) -> list[str]:
        _write(tmp / "forecast.csv", _forecast_text() if text is None else text)
        given = ["requirements", str(tmp / "forecast.csv"), *args]
        if output is not None:
            given += ["-o", output.format(tmp=tmp)]
        return given

    return build


CALL_LOG = (
    "vru_line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time"
    "\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver\n"
    "AA0101\t1\t100\t0\tPS\t990201\t7:00:00\t7:00:05\t5\t7:00:05\t7:00:15\t10\tAGENT"
    "\t7:00:15\t7:03:15\t180\tANNA\n"
    "AA0101\t2\t101\t0\tPS\t990201\t7:01:00\t7:01:05\t5\t7:01:05\t7:02:05\t60\tHANG"
    "\t0:00:00\t0:00:00\t0\tNO_SERVER\n"
)

MAPPING = {
    "separator": "\t",
    "arrival": {
        "date": "date",
        "date_format": "%y%m%d",
        "time": "vru_exit",
        "time_format": "%H:%M:%S",
    },
    "wait_seconds": "q_time",
    "handle_seconds": "ser_time",
    "outcome": {
        "column": "outcome",
        "answered": ["AGENT"],
        "abandoned": ["HANG"],
        "ignored": ["PHANTOM"],
    },
    "agent_id": "server",
    "customer_id": "customer_id",
}


def actuals(
    *args: str,
    log: str | bytes = CALL_LOG,
    mapping: dict[str, Any] | str | None = None,
    edits: dict[str, Any] | None = None,
) -> Build:
    """A ``wfm actuals`` run of a two-call log with ``mapping`` (default: valid)."""

    def build(tmp: Path) -> list[str]:
        _write(tmp / "calls.tsv", log)
        if isinstance(mapping, str):
            _write(tmp / "mapping.yaml", mapping)
        else:
            tree = copy.deepcopy(MAPPING if mapping is None else mapping)
            for path, value in (edits or {}).items():
                _set(tree, path, value)
            _write(tmp / "mapping.yaml", yaml.safe_dump(tree, sort_keys=False))
        given = [a.format(tmp=tmp) for a in args]
        if "-o" not in given:
            given += ["-o", str(tmp / "actuals")]
        return ["actuals", str(tmp / "calls.tsv"), "--mapping", str(tmp / "mapping.yaml"), *given]

    return build


def simulate(*args: str, files: dict[str, str] | None = None) -> Build:
    """A ``wfm simulate`` run of a roster directory holding ``files``."""

    def build(tmp: Path) -> list[str]:
        roster = tmp / "roster"
        roster.mkdir()
        for name, text in (files or {}).items():
            _write(roster / name, text)
        given = [a.format(tmp=tmp) for a in args]
        if "-o" not in given:
            given += ["-o", str(tmp / "sim")]
        return ["simulate", str(roster), *given]

    return build


# --------------------------------------------------------------------------- hostile YAML

ALIAS_BOMB = (
    "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def _bomb_scenario(field_name: str) -> str:
    """The base scenario with an alias bomb (9**9 strings when expanded) as ``field_name``."""
    tree = _base_scenario()
    del tree[field_name]
    text = yaml.safe_dump(tree, sort_keys=False)
    levels = ["&a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        levels.append(f"&{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return text + f"{field_name}: [" + ", ".join(levels) + "]\n"


def _deep_in_field(depth: int) -> str:
    tree = _base_scenario()
    del tree["templates"]
    text = yaml.safe_dump(tree, sort_keys=False)
    return text + "templates: " + "[" * depth + "]" * depth + "\n"


# --------------------------------------------------------------------------- the catalogue

AGENTS_HEADER = "agent_id,contract,templates,availability,time_off,preferences,pins\n"

CASES: tuple[Case, ...] = (
    # ---- wfm erlang: command-line numbers
    Case("erlang-calls-negative", erlang("--calls", "-1"), names=("--calls",)),
    Case("erlang-calls-nan", erlang("--calls", "nan"), names=("--calls",)),
    Case("erlang-calls-inf", erlang("--calls", "inf"), names=("--calls",)),
    Case("erlang-calls-huge", erlang("--calls", "1e300"), names=("--calls", "at most")),
    Case("erlang-calls-1e9", erlang("--calls", "1e9"), names=("--calls",), isolated=True),
    Case("erlang-calls-text", erlang("--calls", "many"), names=("--calls",)),
    Case("erlang-aht-zero", erlang("--aht-seconds", "0"), names=("--aht-seconds",)),
    Case("erlang-aht-negative", erlang("--aht-seconds", "-5"), names=("--aht-seconds",)),
    Case("erlang-interval-zero", erlang("--interval-minutes", "0"), names=("--interval-minutes",)),
    Case("erlang-target-percent-number", erlang("--target", "80/20"), names=("--target", "80/20")),
    Case("erlang-target-one", erlang("--target", "1/20"), names=("--target",)),
    Case("erlang-target-negative-seconds", erlang("--target", "0.8/-1"), names=("--target",)),
    Case("erlang-target-text", erlang("--target", "high"), names=("--target",)),
    Case("erlang-target-no-seconds", erlang("--target", "0.8"), names=("--target",)),
    Case("erlang-shrinkage-one", erlang("--shrinkage", "1"), names=("--shrinkage",)),
    Case("erlang-shrinkage-negative", erlang("--shrinkage", "-0.1"), names=("--shrinkage",)),
    Case("erlang-occupancy-zero", erlang("--max-occupancy", "0"), names=("--max-occupancy",)),
    Case(
        "erlang-occupancy-above-one", erlang("--max-occupancy", "1.5"), names=("--max-occupancy",)
    ),
    Case(
        "erlang-abandon-rate-two",
        erlang("--model", "erlang_a", "--patience-seconds", "60", "--max-abandon-rate", "2"),
        names=("--max-abandon-rate",),
    ),
    Case("erlang-a-without-patience", erlang("--model", "erlang_a"), names=("--patience-seconds",)),
    Case(
        "erlang-patience-negative",
        erlang("--model", "erlang_a", "--patience-seconds", "-1"),
        names=("--patience-seconds",),
    ),
    Case("erlang-model-unknown", erlang("--model", "erlang_x"), names=("--model",)),
    Case("erlang-agents-negative", erlang("--agents", "-1"), names=("--agents",)),
    Case("erlang-target-none-alone", erlang("--target", "none"), names=("--target",)),
    # ---- wfm forecast: history files and options
    Case(
        "forecast-history-missing",
        lambda tmp: ["forecast", str(tmp / "nope.csv"), "-o", str(tmp / "f.csv")],
        names=("nope.csv",),
    ),
    Case("forecast-history-empty", forecast(""), names=("history.csv",)),
    Case("forecast-history-binary", forecast(bytes(range(256)) * 40), names=("history.csv",)),
    Case(
        "forecast-history-no-calls-column",
        forecast("interval_start,volume\n2026-12-07 08:00,3\n"),
        names=("calls",),
    ),
    Case("forecast-calls-negative", forecast(_history_text(calls="-3")), names=("calls",)),
    Case("forecast-calls-text", forecast(_history_text(calls="ten")), names=("calls",)),
    Case("forecast-calls-huge", forecast(_history_text(calls="1e300")), names=("calls",)),
    Case(
        "forecast-timestamp-garbage",
        forecast("interval_start,calls,aht_seconds\nyesterday,3,300\n"),
        names=("interval_start",),
    ),
    Case(
        "forecast-timestamp-duplicate",
        forecast(
            "interval_start,calls,aht_seconds\n2026-12-07 08:00,3,300\n2026-12-07 08:00,4,300\n"
        ),
        names=("interval_start",),
    ),
    Case(
        "forecast-mixed-grid",
        forecast(_history_text(days=14) + "2026-12-08 18:10,3,300\n"),
        names=("interval",),
    ),
    Case(
        "forecast-date-only-daily-totals",
        forecast(
            "interval_start,calls,aht_seconds\n"
            + "".join(f"2026-12-{d:02d},500,300\n" for d in range(1, 29)),
            "--interval",
            "15",
        ),
        names=("interval_start",),
    ),
    Case("forecast-days-zero", forecast(None, "--days", "0"), names=("--days",)),
    Case("forecast-days-huge", forecast(None, "--days", "100000"), names=("--days",)),
    Case("forecast-folds-zero", forecast(None, "--folds", "0"), names=("--folds",)),
    Case("forecast-start-day-first", forecast(None, "--start", "12/01/2027"), names=("--start",)),
    Case("forecast-start-impossible", forecast(None, "--start", "2027-02-30"), names=("--start",)),
    Case("forecast-output-directory", forecast(None, output="{tmp}"), names=("--output",)),
    Case(
        "forecast-output-missing-directory",
        forecast(None, output="{tmp}/no/f.csv"),
        names=("--output",),
    ),
    Case("forecast-records-without-interval", forecast(None, "--records"), names=("--interval",)),
    Case("forecast-method-unknown", forecast(None, "--method", "prophet"), names=("--method",)),
    Case("forecast-special-days-bad-date", special_days("date\n07/12/2026\n"), names=("date",)),
    Case(
        "forecast-special-days-bad-multiplier",
        special_days("date,multiplier\n2026-12-08,-2\n"),
        names=("multiplier",),
    ),
    Case(
        "forecast-special-days-no-date-column", special_days("day\n2026-12-08\n"), names=("date",)
    ),
    Case(
        "forecast-history-latin1",
        forecast(
            b"interval_start,calls,aht_seconds\n"
            + "2026-12-07 08:00,3,300,caf\xe9\n".encode("latin-1")
        ),
        names=("history.csv",),
    ),
    Case(
        # a calls-only history forecasts volume alone; staffing it asks for the AHT
        "requirements-volume-only-forecast",
        requirements(_forecast_text().replace(",300", "").replace(",aht_seconds", "")),
        names=("aht_seconds",),
    ),
    # ---- wfm requirements: forecast files
    Case(
        "requirements-forecast-missing",
        lambda tmp: ["requirements", str(tmp / "none.csv")],
        names=("none.csv",),
    ),
    Case(
        "requirements-no-calls-column",
        requirements("interval_start,aht_seconds\n2027-01-04 08:00,3\n"),
        names=("calls",),
    ),
    Case("requirements-calls-negative", requirements(_forecast_text(calls="-1")), names=("calls",)),
    Case("requirements-calls-nan", requirements(_forecast_text(calls="nan")), names=("calls",)),
    Case(
        "requirements-calls-1e9",
        requirements(_forecast_text(calls="1e9")),
        names=("calls",),
        isolated=True,
    ),
    Case(
        "requirements-aht-zero",
        requirements(_forecast_text().replace(",300,", ",0,")),
        names=("aht_seconds",),
    ),
    Case(
        "requirements-is-open-bad",
        requirements(_forecast_text().replace(",true", ",maybe")),
        names=("is_open",),
    ),
    Case(
        "requirements-duplicate-interval",
        requirements(_forecast_text() + "2027-01-04 08:00,3,300,true\n"),
        names=("interval_start",),
    ),
    Case(
        "requirements-mixed-grid",
        requirements(_forecast_text(rows=8) + "2027-01-04 10:10,3,300,true\n"),
        names=("interval",),
    ),
    Case(
        "requirements-empty",
        requirements("interval_start,calls,aht_seconds,is_open\n"),
        names=("forecast",),
    ),
    Case(
        "requirements-output-missing-directory",
        requirements(None, output="{tmp}/no/r.csv"),
        names=("--output",),
    ),
    Case("requirements-bad-target", requirements(None, "--target", "80/20"), names=("--target",)),
    # ---- scenario YAML: the file itself
    Case(
        "scenario-missing",
        lambda tmp: ["roster", str(tmp / "none.yaml"), "-o", str(tmp / "o")],
        names=("none.yaml",),
    ),
    Case("scenario-not-mapping", scenario(raw="- just\n- a list\n"), names=("scenario",)),
    Case("scenario-syntax-error", scenario(raw="week: {start: 2027-01-04\n"), names=("line",)),
    Case("scenario-empty", scenario(raw=""), names=("scenario",)),
    Case("scenario-binary", scenario(raw=bytes(range(256)).decode("latin-1")), names=("scenario",)),
    Case(
        "scenario-alias-bomb",
        scenario(raw=_bomb_scenario("templates")),
        names=("templates",),
        isolated=True,
    ),
    Case(
        "scenario-alias-bomb-agents",
        scenario(raw=_bomb_scenario("agents")),
        names=("agents[0]",),
        isolated=True,
    ),
    Case(
        "scenario-alias-bomb-contracts",
        scenario(raw=_bomb_scenario("contracts")),
        names=("contracts[0]",),
        isolated=True,
    ),
    Case(
        "scenario-alias-bomb-unknown-key",
        scenario(raw=ALIAS_BOMB + yaml.safe_dump(_base_scenario(), sort_keys=False)),
        names=("a",),
        isolated=True,
    ),
    Case(
        "scenario-deep-nesting",
        scenario(raw=_deep_in_field(5000)),
        names=("scenario.yaml", "nested"),
        isolated=True,
    ),
    Case("scenario-unknown-key", scenario({"weeks": {"start": WEEK_START}}), names=("weeks",)),
    # ---- scenario YAML: week and grid
    Case(
        "scenario-week-start-day-first",
        scenario({"week.start": "04/01/2027"}),
        names=("week.start",),
    ),
    Case(
        "scenario-week-start-impossible",
        scenario({"week.start": "2027-02-30"}),
        names=("week.start",),
    ),
    Case("scenario-week-days-zero", scenario({"week.days": 0}), names=("week.days",)),
    Case("scenario-week-days-huge", scenario({"week.days": 100000}), names=("week.days",)),
    Case("scenario-interval-seven", scenario({"interval_minutes": 7}), names=("interval_minutes",)),
    Case("scenario-interval-zero", scenario({"interval_minutes": 0}), names=("interval_minutes",)),
    # ---- scenario YAML: demand
    Case("scenario-demand-missing", scenario({"demand": DELETE}), names=("demand",)),
    Case(
        "scenario-demand-two-kinds",
        scenario({"demand": {"requirements": "requirements.csv", "forecast": "forecast.csv"}}),
        names=("demand",),
    ),
    Case(
        "scenario-demand-file-missing",
        scenario({"demand": {"requirements": "nope.csv"}}),
        names=("nope.csv",),
    ),
    Case(
        "scenario-requirements-huge",
        scenario(requirements=_requirements_text(value="1e12")),
        names=("required_scheduled",),
    ),
    Case(
        "scenario-requirements-negative",
        scenario(requirements=_requirements_text(value="-1")),
        names=("required_scheduled",),
    ),
    Case(
        "scenario-requirements-text",
        scenario(requirements=_requirements_text(value="two")),
        names=("required_scheduled",),
    ),
    Case(
        "scenario-requirements-coarser-grid",
        scenario(requirements=_requirements_text(step_minutes=30)),
        names=("30 minutes apart",),
        exit_code=0,
    ),
    Case(
        # legitimate: intervals a requirements file leaves out need no agents
        "scenario-requirements-short",
        scenario(requirements=_requirements_text(days=3)),
        exit_code=0,
    ),
    Case(
        "scenario-requirements-wrong-column",
        scenario({"demand": {"requirements": {"path": "requirements.csv", "column": "needed"}}}),
        names=("needed",),
    ),
    Case(
        # legitimate: history rows inside the period are left out of fitting, and said so
        "scenario-history-into-the-period",
        scenario(
            {
                "demand": {"history": {"path": "history.csv"}},
                "service": {"target": 0.8, "answer_within_seconds": 20},
            },
            files={"history.csv": _history_text(days=35)},
        ),
        exit_code=0,
        names=("rows on or after", "left out"),
    ),
    # ---- scenario YAML: service
    Case(
        "scenario-service-target-percent",
        scenario({"service": {"target": 80, "answer_within_seconds": 20}}),
        names=("service.target",),
    ),
    Case(
        "scenario-service-seconds-negative",
        scenario({"service": {"target": 0.8, "answer_within_seconds": -1}}),
        names=("service.answer_within_seconds",),
    ),
    Case(
        "scenario-service-model-unknown",
        scenario({"service": {"target": 0.8, "answer_within_seconds": 20, "model": "erlang_x"}}),
        names=("service.model",),
    ),
    Case(
        "scenario-service-shrinkage-one",
        scenario({"service": {"target": 0.8, "answer_within_seconds": 20, "shrinkage": 1.0}}),
        names=("service.shrinkage",),
    ),
    # ---- scenario YAML: templates, contracts, agents, solver
    Case("scenario-templates-empty", scenario({"templates": []}), names=("templates",)),
    Case(
        "scenario-template-start-text",
        scenario({"templates[0].earliest_start": "eight"}),
        names=("templates[0].earliest_start",),
    ),
    Case(
        "scenario-template-bad-weekday",
        scenario({"templates[0].weekdays": "Mon-Fry"}),
        names=("templates[0].weekdays",),
    ),
    Case(
        "scenario-template-length-off-grid",
        scenario({"templates[0].min_length_minutes": 487}),
        names=("templates[0]",),
    ),
    Case(
        "scenario-break-longer-than-shift",
        scenario({"templates[0].breaks[0].duration_minutes": 600}),
        names=("template_breaks", "day"),
        exit_code=1,
    ),
    Case(
        "scenario-contract-min-above-max",
        scenario({"contracts[0].min_hours_per_week": 50}),
        names=("contracts[0]",),
    ),
    Case(
        "scenario-contract-negative-hours",
        scenario({"contracts[0].max_hours_per_week": -4}),
        names=("contracts[0].max_hours_per_week",),
    ),
    Case(
        "scenario-contract-unknown-key",
        scenario({"contracts[0].max_hours": 40}),
        names=("contracts[0].max_hours",),
    ),
    Case("scenario-agents-empty", scenario({"agents": []}), names=("agents",)),
    Case(
        "scenario-agent-unknown-contract",
        scenario({"agents[0].contract": "fulltime"}),
        names=("agents[0].contract",),
    ),
    Case(
        "scenario-agent-duplicate-id", scenario({"agents[1].agent_id": "a1"}), names=("agent_id",)
    ),
    Case(
        "scenario-agent-unknown-template",
        scenario({"agents[0].templates": ["night"]}),
        names=("agents[0].templates",),
    ),
    Case(
        "scenario-agent-last-shift-in-week",
        scenario({"agents[0].last_shift_end": "2027-01-05 17:00"}),
        names=("agents[0].last_shift_end",),
    ),
    Case(
        "scenario-agent-time-off-bad-date",
        scenario({"agents[0].time_off": "2027-13-01"}),
        names=("agents[0].time_off",),
    ),
    Case(
        "scenario-agent-availability-bad",
        scenario({"agents[0].availability": "Mon 25:00-26:00"}),
        names=("agents[0].availability",),
    ),
    Case(
        "scenario-agent-pin-bad",
        scenario({"agents[0].pins": "2027-01-05 template=night"}),
        names=("agents[0].pins",),
    ),
    Case(
        "scenario-solver-time-limit-inf",
        scenario({"solver.time_limit_seconds": float("inf")}),
        names=("solver.time_limit_seconds",),
    ),
    Case(
        "scenario-solver-workers-zero", scenario({"solver.workers": 0}), names=("solver.workers",)
    ),
    Case(
        "scenario-weights-negative",
        scenario({"weights": {"paid_hour": -1}}),
        names=("weights.paid_hour",),
    ),
    Case(
        "scenario-soft-rule-unknown",
        scenario({"rules": {"soft": {"min_sleep": 10}}}),
        names=("min_sleep",),
    ),
    Case(
        "scenario-fairness-weekend-bad",
        scenario({"fairness": {"weekend_days": ["Caturday"]}}),
        names=("fairness.weekend_days",),
    ),
    Case(
        "roster-time-limit-inf",
        scenario(extra_args=("--time-limit", "inf")),
        names=("--time-limit",),
    ),
    Case(
        "roster-time-limit-negative",
        scenario(extra_args=("--time-limit", "-1")),
        names=("--time-limit",),
    ),
    Case(
        "roster-output-is-file",
        lambda tmp: [*scenario()(tmp)[:-1], str(tmp / "requirements.csv")],
        names=("-o",),
    ),
    # ---- agents.csv
    Case("agents-csv-missing-contract-column", agents_csv("agent_id\na1\n"), names=("contract",)),
    Case(
        "agents-csv-empty-contract-cell",
        agents_csv("agent_id,contract\na1,\n"),
        names=("contract",),
    ),
    Case(
        "agents-csv-unknown-column",
        agents_csv("agent_id,contract,shoe_size\na1,full,44\n"),
        names=("shoe_size",),
    ),
    Case(
        "agents-csv-bad-availability",
        agents_csv(AGENTS_HEADER + "a1,full,day,Mon 9-5,,,\n"),
        names=("availability",),
    ),
    Case(
        "agents-csv-bad-time-off",
        agents_csv(AGENTS_HEADER + "a1,full,day,,tomorrow,,\n"),
        names=("time_off",),
    ),
    Case(
        "agents-csv-bad-preference",
        agents_csv(AGENTS_HEADER + "a1,full,day,,,likes=mornings,\n"),
        names=("preferences",),
    ),
    Case(
        "agents-csv-duplicate-id",
        agents_csv("agent_id,contract\na1,full\na1,full\n"),
        names=("agent_id",),
    ),
    Case("agents-csv-empty", agents_csv(""), names=("agents.csv",)),
    Case("agents-csv-header-only", agents_csv("agent_id,contract\n"), names=("agents",)),
    Case(
        "agents-csv-negative-days-before",
        agents_csv("agent_id,contract,consecutive_days_worked_before\na1,full,-2\n"),
        names=("consecutive_days_worked_before",),
    ),
    Case(
        "agents-csv-latin1",
        scenario(
            {"agents": {"csv": "agents.csv"}},
            files={"agents.csv": "agent_id,contract\nJos\xe9,full\n".encode("latin-1")},
        ),
        names=("agents.csv",),
    ),
    # ---- wfm actuals: call logs and mappings
    Case("actuals-ok", actuals(), exit_code=0),
    Case(
        "actuals-log-missing",
        lambda tmp: [*actuals()(tmp)[:1], str(tmp / "none.tsv"), *actuals()(tmp)[2:]],
        names=("none.tsv",),
    ),
    Case("actuals-mapping-not-yaml", actuals(mapping="separator: [\n"), names=("mapping",)),
    Case("actuals-mapping-unknown-key", actuals(edits={"waiting": "q_time"}), names=("waiting",)),
    Case(
        "actuals-mapping-missing-column",
        actuals(edits={"wait_seconds": "queue_time"}),
        names=("queue_time",),
    ),
    Case(
        "actuals-unknown-outcome-label",
        actuals(log=CALL_LOG.replace("\tHANG\t", "\tBUSY\t")),
        exit_code=0,
    ),
    Case("actuals-interval-seven", actuals("--interval", "7"), names=("--interval",)),
    Case(
        "actuals-answer-within-negative",
        actuals("--answer-within", "-1"),
        names=("--answer-within",),
    ),
    Case("actuals-output-is-file", actuals("-o", "{tmp}/calls.tsv"), names=("--output",)),
    Case(
        "actuals-date-format-wrong",
        actuals(edits={"arrival.date_format": "%Y-%m-%d"}),
        names=("line 2", "unparsable arrival"),
    ),
    Case("actuals-wrong-separator", actuals(edits={"separator": ","}), names=("date",)),
    # ---- wfm simulate
    Case(
        "simulate-roster-dir-missing",
        lambda tmp: ["simulate", str(tmp / "none"), "-o", str(tmp / "s")],
        names=("none",),
    ),
    Case("simulate-roster-csv-missing", simulate(), names=("roster.csv",)),
    Case("simulate-replications-zero", simulate("--replications", "0"), names=("--replications",)),
    Case("simulate-output-is-file", simulate("-o", "/etc/hostname"), names=("--output",)),
    # ---- planted roster conflicts: each names the rule it plants
    Case(
        "conflict-min-hours-above-shifts",
        scenario({"contracts[0].min_hours_per_week": 40, "contracts[0].max_days_per_week": 3}),
        names=("min_hours_per_week",),
        exit_code=1,
    ),
    Case(
        "conflict-min-days-no-template-days",
        scenario({"contracts[0].min_days_per_week": 3, "templates[0].weekdays": "Mon-Tue"}),
        names=("min_days_per_week",),
        exit_code=1,
    ),
    Case(
        "conflict-pin-on-time-off",
        scenario({"agents[0].time_off": "2027-01-05", "agents[0].pins": "2027-01-05 template=day"}),
        names=("pins",),
        exit_code=1,
    ),
    Case(
        "conflict-days-off-block",
        scenario({"contracts[0].min_consecutive_days_off": 3, "contracts[0].min_days_per_week": 5}),
        names=("min_consecutive_days_off",),
        exit_code=1,
    ),
)
