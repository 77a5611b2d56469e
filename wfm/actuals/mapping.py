"""The call-log mapping: which columns and labels of a log mean what."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import yaml

from wfm.errors import ValidationError
from wfm.tables import yaml_error_text
from wfm.timegrid import validate_time_zone

__all__ = ["CallLogMapping"]


def _labels(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValidationError(name, value, "a label or a list of labels (text)")


@dataclass(frozen=True, kw_only=True)
class CallLogMapping:
    """How a call log's columns and labels map to the contacts layout.

    Give the arrival either as one timestamp column (``arrival_column``, with
    an optional ``arrival_format``) or as a date column plus a time-of-day
    column (``date_column`` + ``time_column`` with ``date_format`` and
    ``time_format``; they are joined with a space and parsed with
    ``date_format + " " + time_format``). Formats are :func:`time.strftime`
    codes, e.g. ``"%y%m%d"`` and ``"%H:%M:%S"`` (which also reads ``7:02:47``).

    Arrivals with UTC offsets (``2027-10-31 02:10+01:00``, or a format with
    ``%z``) are instants and keep them. ``time_zone`` (an IANA name) puts
    the contacts on that zone's local clock: arrivals with offsets are
    converted to it and naive ones are its local times. Without it, naive
    arrivals stay naive (clocks that never change) and arrivals with offsets
    take a zone with those offsets (:func:`wfm.kpis.zone_for_offsets`).

    Attributes
    ----------
    separator
        Field separator of the file (``"\\t"`` for tab-separated).
    arrival_column, arrival_format
        One timestamp column and its format (``None``: ISO 8601).
    date_column, date_format, time_column, time_format
        The arrival as a date column plus a time column.
    wait_seconds_column
        Seconds waited in the queue (until answer or abandonment).
    handle_seconds_column
        Handle (talk) seconds of answered contacts; ignored for abandoned ones.
    outcome_column
        The column holding the outcome label.
    answered_labels, abandoned_labels, ignored_labels
        Labels meaning answered, abandoned, and rows that are not contacts
        (e.g. ``PHANTOM``). A label in none of the lists rejects its row.
    agent_id_column, no_agent_labels
        Who answered, and the values meaning "no agent" (e.g. ``NO_SERVER``).
    customer_id_column, unidentified_customer_labels
        Caller identity, and the values meaning unidentified (e.g. ``0``).
    queue_column, priority_column, vru_seconds_column
        Optional queue (call type), priority and seconds in the VRU.
    queued_column, not_queued_labels
        A column saying whether the contact reached the queue, and its values
        meaning it did not (e.g. a queue-entry time of ``0:00:00``): abandoned
        rows with such a value were abandoned before the queue.
    time_zone
        IANA time zone of the centre's local clock, or ``None``.
    """

    separator: str = ","
    arrival_column: str | None = None
    arrival_format: str | None = None
    date_column: str | None = None
    date_format: str | None = None
    time_column: str | None = None
    time_format: str | None = None
    wait_seconds_column: str
    handle_seconds_column: str
    outcome_column: str
    answered_labels: tuple[str, ...]
    abandoned_labels: tuple[str, ...]
    ignored_labels: tuple[str, ...] = ()
    agent_id_column: str | None = None
    no_agent_labels: tuple[str, ...] = ()
    customer_id_column: str | None = None
    unidentified_customer_labels: tuple[str, ...] = ()
    queue_column: str | None = None
    priority_column: str | None = None
    vru_seconds_column: str | None = None
    queued_column: str | None = None
    not_queued_labels: tuple[str, ...] = ()
    time_zone: str | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_labels"):
                object.__setattr__(self, f.name, _labels(value, f.name))
            elif value is not None and (not isinstance(value, str) or not value):
                raise ValidationError(f.name, value, "a non-empty text")
        if not self.separator:
            raise ValidationError("separator", self.separator, "a field separator such as ','")
        one = self.arrival_column is not None
        two = self.date_column is not None or self.time_column is not None
        if one == two:
            raise ValidationError(
                "arrival_column",
                self.arrival_column,
                "either one arrival timestamp column or a date column plus a time column",
            )
        if two and (self.date_column is None or self.time_column is None):
            raise ValidationError(
                "time_column" if self.time_column is None else "date_column",
                None,
                "both a date column and a time column",
            )
        if two and (self.date_format is None or self.time_format is None):
            raise ValidationError(
                "date_format" if self.date_format is None else "time_format",
                None,
                "a format for the date and for the time (e.g. '%y%m%d' and '%H:%M:%S')",
            )
        if not self.answered_labels:
            raise ValidationError("answered_labels", (), "at least one label")
        if not self.abandoned_labels:
            raise ValidationError("abandoned_labels", (), "at least one label")
        seen: dict[str, str] = {}
        for name in ("answered_labels", "abandoned_labels", "ignored_labels"):
            for label in getattr(self, name):
                if label in seen:
                    raise ValidationError(name, label, f"a label not already in {seen[label]}")
                seen[label] = name
        if self.not_queued_labels and self.queued_column is None:
            raise ValidationError("queued_column", None, "a column when not_queued_labels is set")
        validate_time_zone(self.time_zone)

    # YAML layout: key -> (field, sub-key) -----------------------------------------

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], *, source: str = "mapping") -> CallLogMapping:
        """Build a mapping from its YAML layout (see ``from_yaml``).

        Errors name the key as ``source: key.sub_key``.
        """
        if not isinstance(document, Mapping):
            raise ValidationError(source, document, "a YAML mapping of keys")
        known = {
            "separator",
            "arrival",
            "wait_seconds",
            "handle_seconds",
            "outcome",
            "agent_id",
            "customer_id",
            "queue",
            "priority",
            "vru_seconds",
            "queued",
            "time_zone",
        }
        for key in document:
            if key not in known:
                raise ValidationError(f"{source}: {key}", key, f"one of the keys {sorted(known)}")
        kwargs: dict[str, Any] = {}

        def column_or_block(key: str, subkeys: dict[str, str]) -> dict[str, Any]:
            """Read ``key: COLUMN`` or ``key: {column: ..., sub: ...}``."""
            value = document.get(key)
            if value is None:
                return {}
            if isinstance(value, str):
                return {"column": value}
            if not isinstance(value, Mapping):
                raise ValidationError(f"{source}: {key}", value, "a column name or a mapping")
            allowed = {"column", *subkeys}
            for sub in value:
                if sub not in allowed:
                    raise ValidationError(
                        f"{source}: {key}.{sub}", sub, f"one of the keys {sorted(allowed)}"
                    )
            return dict(value)

        if "time_zone" in document:
            kwargs["time_zone"] = document["time_zone"]
        if "separator" in document:
            sep = document["separator"]
            kwargs["separator"] = {"tab": "\t", "\\t": "\t"}.get(sep, sep)
        arrival = document.get("arrival")
        if arrival is None:
            raise ValidationError(f"{source}: arrival", None, "the arrival column(s)")
        if isinstance(arrival, str):
            kwargs["arrival_column"] = arrival
        elif isinstance(arrival, Mapping):
            allowed = {"column", "format", "date", "date_format", "time", "time_format"}
            for sub in arrival:
                if sub not in allowed:
                    raise ValidationError(
                        f"{source}: arrival.{sub}", sub, f"one of the keys {sorted(allowed)}"
                    )
            names = {
                "column": "arrival_column",
                "format": "arrival_format",
                "date": "date_column",
                "date_format": "date_format",
                "time": "time_column",
                "time_format": "time_format",
            }
            kwargs.update({names[k]: v for k, v in arrival.items()})
        else:
            raise ValidationError(f"{source}: arrival", arrival, "a column name or a mapping")
        for key in ("wait_seconds", "handle_seconds", "queue", "priority", "vru_seconds"):
            if key in document:
                kwargs[f"{key}_column"] = column_or_block(key, {})["column"]
        outcome = column_or_block("outcome", {"answered": "", "abandoned": "", "ignored": ""})
        if "column" in outcome:
            kwargs["outcome_column"] = outcome["column"]
        for sub in ("answered", "abandoned", "ignored"):
            if sub in outcome:
                kwargs[f"{sub}_labels"] = outcome[sub]
        blocks = {
            "agent_id": ("no_agent", "no_agent_labels"),
            "customer_id": ("unidentified", "unidentified_customer_labels"),
            "queued": ("not_queued", "not_queued_labels"),
        }
        for key, (sub, target) in blocks.items():
            block = column_or_block(key, {sub: ""})
            if "column" in block:
                kwargs[f"{key}_column"] = block["column"]
            if sub in block:
                kwargs[target] = block[sub]
        yaml_key = {
            "arrival_column": "arrival.column",
            "arrival_format": "arrival.format",
            "date_column": "arrival.date",
            "date_format": "arrival.date_format",
            "time_column": "arrival.time",
            "time_format": "arrival.time_format",
            "outcome_column": "outcome.column",
            "answered_labels": "outcome.answered",
            "abandoned_labels": "outcome.abandoned",
            "ignored_labels": "outcome.ignored",
            "agent_id_column": "agent_id.column",
            "no_agent_labels": "agent_id.no_agent",
            "customer_id_column": "customer_id.column",
            "unidentified_customer_labels": "customer_id.unidentified",
            "queued_column": "queued.column",
            "not_queued_labels": "queued.not_queued",
        }
        required = ("wait_seconds_column", "handle_seconds_column", "outcome_column")
        for name in (*required, "answered_labels", "abandoned_labels"):
            if name not in kwargs:
                key = yaml_key.get(name, name.removesuffix("_column"))
                raise ValidationError(f"{source}: {key}", None, "a value (it is required)")
        try:
            return cls(**kwargs)
        except ValidationError as exc:
            key = yaml_key.get(exc.field, exc.field.removesuffix("_column"))
            raise ValidationError(f"{source}: {key}", exc.value, exc.expected) from None

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> CallLogMapping:
        """Read a mapping file.

        Every value is read as text (``0`` and ``0:00:00`` stay as written).
        Layout (optional keys in brackets)::

            separator: "\\t"                 # or tab
            arrival: {date: date, date_format: "%y%m%d",
                      time: vru_entry, time_format: "%H:%M:%S"}
            # or   arrival: start_time      # or {column: ..., format: ...}
            wait_seconds: q_time
            handle_seconds: ser_time
            outcome: {column: outcome, answered: [AGENT], abandoned: [HANG],
                      ignored: [PHANTOM]}
            [agent_id: {column: server, no_agent: [NO_SERVER]}]
            [customer_id: {column: customer_id, unidentified: ["0"]}]
            [queue: type]  [priority: priority]  [vru_seconds: vru_time]
            [queued: {column: q_start, not_queued: ["0:00:00"]}]
            [time_zone: Europe/Stockholm]
        """
        with open(path, encoding="utf-8") as handle:
            try:
                document = yaml.load(handle, Loader=yaml.BaseLoader)  # every value as text
            except yaml.YAMLError as exc:
                raise ValidationError(
                    str(path), "unreadable YAML", f"a YAML mapping file ({yaml_error_text(exc)})"
                ) from None
        return cls.from_dict(document if document is not None else {}, source=str(path))

    def columns(self) -> dict[str, str]:
        """The log columns this mapping reads, as ``{field name: column}``."""
        out = {}
        for f in fields(self):
            if f.name.endswith("_column") and getattr(self, f.name) is not None:
                out[f.name] = getattr(self, f.name)
        return out
