"""``wfm erlang``: one-off staffing calculation for a single interval.

Example::

    wfm erlang --calls 100 --aht-seconds 180 --interval-minutes 30 --target 0.8/20
    wfm erlang --calls 400 --aht-seconds 300 --interval-minutes 15 \\
        --model erlang_a --patience-seconds 120 --json
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from wfm import erlang, staffing
from wfm.errors import ValidationError
from wfm.service import MODELS, ServicePolicy

__all__ = ["register", "run"]

_DESCRIPTION = (
    "Agents needed for one interval: from calls, AHT and interval length, the minimal "
    "number of agents on the phone meeting the service target (Erlang C, or Erlang A with "
    "abandonment), the service it gives, and the agents to schedule after shrinkage."
)


def register(subparsers: Any) -> None:
    """Add the ``erlang`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "erlang",
        help="one-off Erlang C/A calculation: agents and service for one interval",
        description=_DESCRIPTION,
    )
    add_policy_options(parser)
    parser.add_argument("--calls", type=float, required=True, help="calls offered in the interval")
    parser.add_argument(
        "--aht-seconds", type=float, required=True, help="average handling time, seconds"
    )
    parser.add_argument(
        "--interval-minutes", type=float, default=15.0, help="interval length (default 15)"
    )
    parser.add_argument(
        "--agents",
        type=float,
        default=None,
        help=(
            "evaluate this number of agents on the phone instead of searching the minimum "
            "(reported as required_on_phone)"
        ),
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (an infinite ASA is written as null)",
    )
    parser.set_defaults(func=run)


def add_policy_options(parser: argparse.ArgumentParser) -> None:
    """The service-policy options shared by ``wfm erlang`` and ``wfm requirements``."""
    parser.add_argument(
        "--target",
        default="0.8/20",
        help=(
            "service level as LEVEL/SECONDS, e.g. 0.8/20 or 80%%/20 (default 0.8/20); "
            "'none' for no service-level target (then give --max-asa-seconds or "
            "--max-abandon-rate)"
        ),
    )
    parser.add_argument(
        "--max-asa-seconds", type=float, default=None, help="also cap the average speed of answer"
    )
    parser.add_argument(
        "--max-abandon-rate",
        type=float,
        default=None,
        help="also cap the abandonment probability (erlang_a only), e.g. 0.05",
    )
    parser.add_argument(
        "--max-occupancy", type=float, default=None, help="maximum agent occupancy, e.g. 0.85"
    )
    parser.add_argument(
        "--shrinkage",
        type=float,
        default=0.0,
        help="fraction of scheduled time off the phone, in [0, 1) (default 0)",
    )
    parser.add_argument(
        "--model",
        choices=MODELS,
        default="erlang_c",
        help="queueing model: erlang_c (no abandonment) or erlang_a (needs --patience-seconds)",
    )
    parser.add_argument(
        "--patience-seconds",
        type=float,
        default=None,
        help="mean caller patience in seconds, for --model erlang_a",
    )


def policy_from_args(args: argparse.Namespace) -> ServicePolicy:
    """Build the :class:`~wfm.service.ServicePolicy` from the shared options (validated once)."""
    others: dict[str, Any] = {
        "max_asa_seconds": args.max_asa_seconds,
        "max_abandon_rate": args.max_abandon_rate,
        "model": args.model,
        "patience_seconds": args.patience_seconds,
        "shrinkage": args.shrinkage,
        "max_occupancy": args.max_occupancy,
    }
    if args.target.strip().lower() == "none":
        if args.max_asa_seconds is None and args.max_abandon_rate is None:
            raise ValidationError(
                "--target",
                args.target,
                "a service level such as 0.8/20, or 'none' together with --max-asa-seconds "
                "or --max-abandon-rate (at least one target is needed)",
            )
        try:
            return ServicePolicy(level=None, answer_within_seconds=None, **others)
        except ValidationError as err:
            raise _as_option_error(err, args) from None
    try:
        return ServicePolicy.parse(args.target, **others)
    except ValidationError as err:
        raise _as_option_error(err, args) from None


#: Policy fields set by ``--target``; the others have an option of their own name.
_TARGET_FIELDS = ("target", "level", "answer_within_seconds")


def _as_option_error(err: ValidationError, args: argparse.Namespace) -> ValidationError:
    """The policy's complaint, named by the option and the value the user typed."""
    if err.field in _TARGET_FIELDS:
        return ValidationError("--target", args.target, err.expected)
    option = err.field.replace("_", "-")
    if hasattr(args, err.field):
        return ValidationError(f"--{option}", getattr(args, err.field), err.expected)
    return err


def _traffic(args: argparse.Namespace) -> float:
    """Offered erlangs of ``--calls``; a bad value is named by the option the user typed."""
    try:
        traffic = float(
            erlang.traffic_erlangs(
                args.calls, aht_seconds=args.aht_seconds, interval_minutes=args.interval_minutes
            )
        )
    except ValidationError as err:
        raise _as_option_error(err, args) from None
    if traffic > erlang.MAX_TRAFFIC:
        most_calls = erlang.MAX_TRAFFIC * 60.0 * args.interval_minutes / args.aht_seconds
        raise ValidationError(
            "--calls",
            args.calls,
            f"at most {most_calls:.6g} calls with --aht-seconds {args.aht_seconds:g} and "
            f"--interval-minutes {args.interval_minutes:g} (a load of at most "
            f"{erlang.MAX_TRAFFIC:.0e} erlangs)",
        )
    return traffic


def _calculate(args: argparse.Namespace) -> dict[str, Any]:
    policy = policy_from_args(args)
    traffic = _traffic(args)
    if args.agents is not None and not (math.isfinite(args.agents) and args.agents >= 0):
        raise ValidationError("--agents", args.agents, "agents on the phone, a number >= 0")
    fractional: float | None = None
    if args.agents is None:
        found = staffing.required_on_phone(traffic, aht_seconds=args.aht_seconds, policy=policy)
        on_phone: float = found.agents
        fractional = found.agents_fractional
    else:
        on_phone = args.agents

    def measures(n: float) -> dict[str, float]:
        perf = staffing.performance(
            args.calls,
            aht_seconds=args.aht_seconds,
            agents_on_phone=n,
            interval_minutes=args.interval_minutes,
            policy=policy,
        )
        row = {str(k): float(v) for k, v in perf.iloc[0].items()}
        if policy.model == "erlang_c":
            row["wait_probability"] = float(erlang.erlang_c(traffic, n))
        else:
            row["wait_probability"] = float(
                erlang.erlang_a_wait_probability(
                    traffic, n, aht_seconds=args.aht_seconds, patience_seconds=args.patience_seconds
                )
            )
        return row

    result: dict[str, Any] = {
        "model": policy.model,
        "calls": args.calls,
        "aht_seconds": args.aht_seconds,
        "interval_minutes": args.interval_minutes,
        "patience_seconds": policy.patience_seconds,
        "target": {
            "level": policy.level,
            "answer_within_seconds": policy.answer_within_seconds,
            "max_asa_seconds": policy.max_asa_seconds,
            "max_abandon_rate": policy.max_abandon_rate,
        },
        "max_occupancy": policy.max_occupancy,
        "shrinkage": policy.shrinkage,
        "traffic_erlangs": traffic,
        "required_on_phone": on_phone,
        "required_on_phone_fractional": fractional,
        "required_scheduled": policy.scheduled_for(on_phone),
        "required_scheduled_fractional": (
            None if fractional is None else policy.scheduled_for_fractional(fractional)
        ),
        **measures(on_phone),
    }
    if args.agents is None:
        low = max(0, int(on_phone) - 2)
        result["nearby"] = [{"agents_on_phone": n, **measures(n)} for n in range(low, low + 5)]
    return result


def _percent(fraction: float) -> str:
    """80% for 0.8, 99.9999% for 0.999999: never rounded up to look like 100%."""
    return f"{100 * fraction:.10g}%"


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf"
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def _print_table(result: dict[str, Any]) -> None:
    target = result["target"]
    parts = []
    if target["level"] is not None:
        within = target["answer_within_seconds"]
        parts.append(f"{_percent(target['level'])} answered within {within:g} s")
    if target["max_asa_seconds"] is not None:
        parts.append(f"ASA <= {target['max_asa_seconds']:g} s")
    if target["max_abandon_rate"] is not None:
        parts.append(f"abandon <= {_percent(target['max_abandon_rate'])}")
    if result["max_occupancy"] is not None:
        parts.append(f"occupancy <= {_percent(result['max_occupancy'])}")
    rows = [
        ("model", result["model"]),
        ("target", ", ".join(parts)),
        ("traffic_erlangs", result["traffic_erlangs"]),
        ("required_on_phone", result["required_on_phone"]),
        ("required_on_phone_fractional", result["required_on_phone_fractional"]),
        (
            f"required_scheduled (shrinkage {result['shrinkage']:.0%})",
            result["required_scheduled"],
        ),
        ("service_level", result["service_level"]),
        ("asa_seconds", result["asa_seconds"]),
        ("occupancy", result["occupancy"]),
        ("wait_probability", result["wait_probability"]),
    ]
    if "abandon_probability" in result:
        rows.append(("abandon_probability", result["abandon_probability"]))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {_fmt(value)}")
    if "nearby" in result:
        columns = ["agents_on_phone", "service_level", "asa_seconds", "occupancy"]
        if "abandon_probability" in result:
            columns.append("abandon_probability")
        print()
        widths = [max(12, len(c)) for c in columns]
        print("  ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
        for row in result["nearby"]:
            cells = (f"{_fmt(row[c]):>{w}}" for c, w in zip(columns, widths, strict=True))
            print("  ".join(cells))


def _finite_or_null(value: Any) -> Any:
    """JSON has no infinity: non-finite numbers (an infinite ASA) become ``null``."""
    if isinstance(value, dict):
        return {k: _finite_or_null(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite_or_null(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run(args: argparse.Namespace) -> int:
    """Run ``wfm erlang``; return the exit code."""
    result = _calculate(args)
    if args.json:
        print(json.dumps(_finite_or_null(result), indent=2, allow_nan=False))
    else:
        _print_table(result)
    return 0
