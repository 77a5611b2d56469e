"""What actually happened: call logs, their KPIs, model estimates and plan vs actual.

A contact centre's ACD call log (one row per contact) is read through a
:class:`CallLogMapping` from the file's own columns and labels into the
contacts layout of :mod:`wfm.kpis`; every row is accounted for in a
:class:`CallLogSummary`. From the contacts:

- :func:`actuals_report` gives the KPI tables per interval, day and month
  (:func:`wfm.kpis.kpi_table`) with the model estimates below;
- :func:`estimate_patience` and :func:`patience_by_period` estimate the mean
  patience of callers (Brown et al. 2005), the input of Erlang A;
- :func:`estimate_handle_time` summarises the handle-time distribution (mean,
  coefficient of variation, a lognormal fit);
- :func:`plan_vs_actual` lays a forecast, requirements or roster coverage
  table beside the actuals of the same intervals and days.

Which contacts count
--------------------
Following the usual ACD convention, a contact is *offered* when it reached the
agents' queue. A caller who hung up inside the voice-response unit (VRU)
before queueing was never offered: when the mapping names a ``queued`` column,
abandoned rows whose value there says "never queued" are kept apart in
:attr:`CallLog.abandoned_before_queue` and counted per day as
``abandoned_before_queue``, never in ``offered`` or ``abandoned``. An answered
row counts as offered whether or not it queued (routed straight to an agent
means a wait of zero).

Row accounting
--------------
Every data row of the log is exactly one of: *used* (a row of
:attr:`CallLog.contacts`), *ignored* by its outcome label (e.g. ``PHANTOM``),
*abandoned before the queue* (see above), or *rejected* with a reason and its
line (the header is line 1): an outcome label the mapping does not list, an
unparsable arrival, a missing, non-numeric or negative wait, handle or VRU
time. Rejected rows are listed in :attr:`CallLog.rejected`; nothing is dropped
silently. An answered row whose handle time is 0 (the log rounds to whole
seconds, or did not record it) is used with ``handle_seconds`` NaN: it counts
as answered and is left out of AHT; the summary counts such rows.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
import yaml

from wfm.errors import DataError, ValidationError
from wfm.kpis import (
    PERIOD_COLUMNS,
    KpiSettings,
    Period,
    kpi_table,
    period_start,
    validate_contacts,
)

__all__ = [
    "ActualsReport",
    "CallLog",
    "CallLogMapping",
    "CallLogSummary",
    "HandleTimeEstimate",
    "PatienceEstimate",
    "PLAN_COLUMNS",
    "PlanVsActual",
    "actuals_report",
    "estimate_handle_time",
    "estimate_patience",
    "patience_by_period",
    "plan_vs_actual",
    "read_call_log",
]

Source = str | os.PathLike[str] | pd.DataFrame

# ----------------------------------------------------------------------------- mapping


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
        """
        with open(path, encoding="utf-8") as handle:
            try:
                document = yaml.load(handle, Loader=yaml.BaseLoader)  # every value as text
            except yaml.YAMLError as exc:
                raise ValidationError(
                    str(path), "unreadable YAML", f"a YAML file ({exc})"
                ) from None
        return cls.from_dict(document if document is not None else {}, source=str(path))

    def columns(self) -> dict[str, str]:
        """The log columns this mapping reads, as ``{field name: column}``."""
        out = {}
        for f in fields(self):
            if f.name.endswith("_column") and getattr(self, f.name) is not None:
                out[f.name] = getattr(self, f.name)
        return out


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True, kw_only=True)
class CallLogSummary:
    """What happened to every row of a call log.

    ``rows_read == rows_used + sum(ignored.values()) + abandoned_before_queue
    + sum(rejected.values())``.

    Attributes
    ----------
    source
        The file read (or ``"DataFrame"``).
    rows_read
        Data rows (header excluded).
    rows_used
        Rows in :attr:`CallLog.contacts`.
    ignored
        ``{label: rows}`` ignored by their outcome label.
    abandoned_before_queue
        Abandoned rows that never reached the queue (hung up in the VRU).
    rejected
        ``{reason: rows}`` rejected; each is listed in :attr:`CallLog.rejected`.
    answered_without_handle
        Used answered rows whose handle time was 0 (kept, handle unknown).
    first_arrival, last_arrival
        Earliest and latest arrival of the used rows (``None`` if none).
    """

    source: str
    rows_read: int
    rows_used: int
    ignored: Mapping[str, int] = field(default_factory=dict)
    abandoned_before_queue: int = 0
    rejected: Mapping[str, int] = field(default_factory=dict)
    answered_without_handle: int = 0
    first_arrival: pd.Timestamp | None = None
    last_arrival: pd.Timestamp | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "ignored": dict(self.ignored),
            "abandoned_before_queue": self.abandoned_before_queue,
            "rejected": dict(self.rejected),
            "answered_without_handle": self.answered_without_handle,
            "first_arrival": None if self.first_arrival is None else str(self.first_arrival),
            "last_arrival": None if self.last_arrival is None else str(self.last_arrival),
        }

    def __str__(self) -> str:
        lines = [f"rows read: {self.rows_read}", f"rows used: {self.rows_used}"]
        lines += [f"rows ignored ({label}): {n}" for label, n in self.ignored.items()]
        lines.append(f"rows abandoned before the queue: {self.abandoned_before_queue}")
        lines += [f"rows rejected ({reason}): {n}" for reason, n in self.rejected.items()]
        if self.answered_without_handle:
            lines.append(f"answered rows without handle time: {self.answered_without_handle}")
        return "\n".join(lines)


@dataclass(frozen=True, kw_only=True)
class CallLog:
    """A call log read into the contacts layout.

    Attributes
    ----------
    contacts
        Contacts layout of :mod:`wfm.kpis` (offered contacts, in file order),
        plus ``line``: the row's line in the file (header = line 1) or its
        0-based position in a DataFrame.
    abandoned_before_queue
        The same layout for callers who hung up before queueing (not offered).
    rejected
        ``line, reason, column, value`` for every rejected row.
    summary
        :class:`CallLogSummary`.
    """

    contacts: pd.DataFrame
    abandoned_before_queue: pd.DataFrame
    rejected: pd.DataFrame
    summary: CallLogSummary


def _load(source: Source, mapping: CallLogMapping) -> tuple[pd.DataFrame, str, int]:
    if isinstance(source, pd.DataFrame):
        return source.astype("string").fillna(""), "DataFrame", 0
    if not isinstance(source, (str, os.PathLike)):
        raise ValidationError("source", source, "a call-log file path or a pandas DataFrame")
    try:
        frame = pd.read_csv(
            source, sep=mapping.separator, dtype=str, keep_default_na=False, engine="c"
        )
    except pd.errors.EmptyDataError:
        raise DataError(str(source), "an empty file", "a call log with a header row") from None
    except pd.errors.ParserError as exc:
        raise DataError(str(source), "unreadable file", f"a delimited call log ({exc})") from None
    return frame, str(source), 2


def _numbers(text: pd.Series) -> np.ndarray:
    return pd.to_numeric(text.str.strip(), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def read_call_log(source: Source, mapping: CallLogMapping) -> CallLog:
    """Read an ACD call log into the contacts layout, accounting for every row.

    Parameters
    ----------
    source
        Path of a delimited text file with a header row, or a DataFrame of
        its columns (values read as text).
    mapping
        :class:`CallLogMapping` naming the columns and labels.

    Returns
    -------
    CallLog
        Contacts, abandoned-before-queue rows, rejected rows and the summary.

    Raises
    ------
    ValidationError, DataError
        A column named in the mapping is not in the file (the error names the
        mapping field), or the file cannot be read. Bad rows do not raise:
        they are rejected with their reason.
    """
    if not isinstance(mapping, CallLogMapping):
        raise ValidationError("mapping", mapping, "a wfm.actuals.CallLogMapping")
    frame, name, line_offset = _load(source, mapping)
    present = list(map(str, frame.columns))
    for field_name, column in mapping.columns().items():
        if column not in present:
            raise ValidationError(field_name, column, f"one of the log's columns {present}")
    n = len(frame)
    lines = np.arange(n) + line_offset
    reason = np.full(n, "", dtype=object)
    bad_column = np.full(n, "", dtype=object)
    bad_value = np.full(n, "", dtype=object)

    def reject(mask: np.ndarray, why: str, column: str, values: pd.Series) -> None:
        new = mask & (reason == "")
        reason[new] = why
        bad_column[new] = column
        bad_value[new] = values.to_numpy(dtype=object)[new]

    label = frame[mapping.outcome_column].astype("string").str.strip()
    is_ignored = label.isin(mapping.ignored_labels).to_numpy(dtype=bool)
    answered = label.isin(mapping.answered_labels).to_numpy(dtype=bool)
    abandoned = label.isin(mapping.abandoned_labels).to_numpy(dtype=bool)
    active = ~is_ignored
    reject(
        active & ~answered & ~abandoned,
        "outcome label not in the mapping",
        mapping.outcome_column,
        label,
    )

    if mapping.arrival_column is not None:
        raw = frame[mapping.arrival_column].astype("string").str.strip()
        column = mapping.arrival_column
        fmt = mapping.arrival_format or "ISO8601"
    else:
        assert mapping.date_column is not None and mapping.time_column is not None
        raw = (
            frame[mapping.date_column].astype("string").str.strip()
            + " "
            + frame[mapping.time_column].astype("string").str.strip()
        )
        column = f"{mapping.date_column} + {mapping.time_column}"
        fmt = f"{mapping.date_format} {mapping.time_format}"
    arrival = pd.to_datetime(raw, format=fmt, errors="coerce").astype("datetime64[ns]")
    reject(active & arrival.isna().to_numpy(), "unparsable arrival", column, raw)

    wait_text = frame[mapping.wait_seconds_column].astype("string")
    wait = _numbers(wait_text)
    col = mapping.wait_seconds_column
    reject(active & np.isnan(wait), "missing or non-numeric wait seconds", col, wait_text)
    reject(active & ~np.isfinite(wait), "missing or non-numeric wait seconds", col, wait_text)
    reject(active & (wait < 0), "negative wait seconds", col, wait_text)

    handle_text = frame[mapping.handle_seconds_column].astype("string")
    handle = _numbers(handle_text)
    col = mapping.handle_seconds_column
    reject(
        active & answered & ~np.isfinite(handle),
        "missing or non-numeric handle seconds of an answered contact",
        col,
        handle_text,
    )
    reject(
        active & answered & (handle < 0),
        "negative handle seconds of an answered contact",
        col,
        handle_text,
    )

    vru: np.ndarray | None = None
    if mapping.vru_seconds_column is not None:
        vru_text = frame[mapping.vru_seconds_column].astype("string")
        vru = _numbers(vru_text)
        col = mapping.vru_seconds_column
        reject(active & ~np.isfinite(vru), "missing or non-numeric VRU seconds", col, vru_text)
        reject(active & (vru < 0), "negative VRU seconds", col, vru_text)

    rejected_mask = reason != ""
    kept = active & ~rejected_mask
    before_queue = np.zeros(n, dtype=bool)
    if mapping.queued_column is not None:
        queued_text = frame[mapping.queued_column].astype("string").str.strip()
        never = queued_text.isin(mapping.not_queued_labels).to_numpy(dtype=bool)
        before_queue = kept & abandoned & never
    used = kept & ~before_queue

    zero_handle = answered & (handle == 0)
    table = pd.DataFrame(
        {
            "arrival": arrival,
            "wait_seconds": wait,
            "outcome": np.where(answered, "answered", "abandoned"),
            "handle_seconds": np.where(answered & ~zero_handle, handle, np.nan),
        }
    )
    if mapping.queue_column is not None:
        table["queue"] = frame[mapping.queue_column].astype("string").str.strip()
    if mapping.agent_id_column is not None:
        agent = frame[mapping.agent_id_column].astype("string").str.strip()
        none = agent.isin(mapping.no_agent_labels) | (agent == "") | pd.Series(~answered)
        table["agent_id"] = agent.mask(none.to_numpy(dtype=bool))
    if mapping.customer_id_column is not None:
        customer = frame[mapping.customer_id_column].astype("string").str.strip()
        unknown = customer.isin(mapping.unidentified_customer_labels) | (customer == "")
        table["customer_id"] = customer.mask(unknown.to_numpy(dtype=bool))
    if mapping.priority_column is not None:
        table["priority"] = frame[mapping.priority_column].astype("string").str.strip()
    if vru is not None:
        table["vru_seconds"] = vru
    table["line"] = lines

    contacts = validate_contacts(table.loc[used])
    early = table.loc[before_queue].reset_index(drop=True)
    rejected = pd.DataFrame(
        {
            "line": lines[rejected_mask],
            "reason": reason[rejected_mask].astype(str),
            "column": bad_column[rejected_mask].astype(str),
            "value": pd.array(bad_value[rejected_mask], dtype="string"),
        }
    )
    ignored_counts = label[is_ignored].value_counts()
    summary = CallLogSummary(
        source=name,
        rows_read=n,
        rows_used=int(used.sum()),
        ignored={str(k): int(v) for k, v in ignored_counts.items()},
        abandoned_before_queue=int(before_queue.sum()),
        rejected={str(k): int(v) for k, v in rejected["reason"].value_counts().items()},
        answered_without_handle=int((used & zero_handle).sum()),
        first_arrival=contacts["arrival"].min() if len(contacts) else None,
        last_arrival=contacts["arrival"].max() if len(contacts) else None,
    )
    return CallLog(
        contacts=contacts, abandoned_before_queue=early, rejected=rejected, summary=summary
    )


# ----------------------------------------------------------------------------- estimates


@dataclass(frozen=True, kw_only=True)
class PatienceEstimate:
    """Mean patience of callers, estimated from waits and abandonments.

    ``patience_seconds = total_wait_seconds / abandoned``: the maximum
    likelihood estimate of an exponential patience when answered callers'
    waits are censored observations of it (Brown et al. 2005, JASA 100:36-50,
    section 5). NaN when nobody abandoned.

    Attributes
    ----------
    patience_seconds
        The estimate, in seconds.
    total_wait_seconds
        Seconds waited by every offered contact (answered and abandoned).
    abandoned
        Contacts that abandoned.
    contacts
        Offered contacts behind the estimate.
    """

    patience_seconds: float
    total_wait_seconds: float
    abandoned: int
    contacts: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (NaN as ``None``)."""
        return {
            "patience_seconds": _json_number(self.patience_seconds),
            "total_wait_seconds": self.total_wait_seconds,
            "abandoned": self.abandoned,
            "contacts": self.contacts,
        }


def _json_number(value: float) -> float | None:
    return None if not math.isfinite(value) else float(value)


def estimate_patience(contacts: pd.DataFrame) -> PatienceEstimate:
    """Estimate the mean patience of the callers in a contacts table.

    Parameters
    ----------
    contacts
        Contacts layout of :mod:`wfm.kpis`.

    Returns
    -------
    PatienceEstimate
        With the counts behind the estimate.
    """
    table = validate_contacts(contacts)
    abandoned = int((table["outcome"] == "abandoned").sum())
    total = float(table["wait_seconds"].sum())
    return PatienceEstimate(
        patience_seconds=total / abandoned if abandoned else math.nan,
        total_wait_seconds=total,
        abandoned=abandoned,
        contacts=len(table),
    )


def patience_by_period(
    contacts: pd.DataFrame,
    *,
    period: Period = "interval",
    interval_minutes: int = 30,
    min_abandoned: int = 1,
) -> pd.DataFrame:
    """Patience estimates per interval, day or month, with their counts.

    Parameters
    ----------
    contacts
        Contacts layout of :mod:`wfm.kpis`.
    period
        ``"interval"``, ``"day"`` or ``"month"`` (the period of the arrival).
    interval_minutes
        Interval length for ``period="interval"``.
    min_abandoned
        Periods with fewer abandonments get ``patience_seconds`` NaN: the
        data does not support an estimate there.

    Returns
    -------
    pandas.DataFrame
        The period column (as in :func:`wfm.kpis.kpi_table`), ``contacts``,
        ``abandoned``, ``total_wait_seconds``, ``patience_seconds``.
    """
    if not isinstance(min_abandoned, int) or isinstance(min_abandoned, bool) or min_abandoned < 1:
        raise ValidationError("min_abandoned", min_abandoned, "a whole number >= 1")
    if period not in PERIOD_COLUMNS:
        raise ValidationError("period", period, f"one of {list(PERIOD_COLUMNS)}")
    minutes = KpiSettings(interval_minutes=interval_minutes).interval_minutes
    table = validate_contacts(contacts)
    key = PERIOD_COLUMNS[period]
    frame = pd.DataFrame(
        {
            key: period_start(table["arrival"], period=period, interval_minutes=minutes),
            "contacts": 1,
            "abandoned": (table["outcome"] == "abandoned").astype(np.int64),
            "total_wait_seconds": table["wait_seconds"],
        }
    )
    out = frame.groupby(key, sort=True).sum().reset_index()
    enough = out["abandoned"] >= min_abandoned
    out["patience_seconds"] = (out["total_wait_seconds"] / out["abandoned"]).where(enough)
    return out


@dataclass(frozen=True, kw_only=True)
class HandleTimeEstimate:
    """The handle-time distribution of answered contacts.

    Attributes
    ----------
    count
        Answered contacts with a known handle time.
    mean_seconds
        Their mean handle time (the AHT).
    cv
        Coefficient of variation: sample standard deviation (ddof 1) / mean.
        1 for exponential handle times.
    log_mean, log_std
        Mean and sample standard deviation of ``ln(handle_seconds)``: the
        lognormal fit by the moments of the log (``mu``, ``sigma``).
    lognormal_mean_seconds, lognormal_cv
        Mean ``exp(mu + sigma^2 / 2)`` and CV ``sqrt(exp(sigma^2) - 1)`` of
        the fitted lognormal, to set beside the sample's.
    """

    count: int
    mean_seconds: float
    cv: float
    log_mean: float
    log_std: float
    lognormal_mean_seconds: float
    lognormal_cv: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (NaN as ``None``)."""
        return {
            "count": self.count,
            **{
                name: _json_number(getattr(self, name))
                for name in (
                    "mean_seconds",
                    "cv",
                    "log_mean",
                    "log_std",
                    "lognormal_mean_seconds",
                    "lognormal_cv",
                )
            },
        }


def estimate_handle_time(contacts: pd.DataFrame) -> HandleTimeEstimate:
    """Mean, coefficient of variation and a lognormal fit of handle times.

    Parameters
    ----------
    contacts
        Contacts layout of :mod:`wfm.kpis`; answered contacts with a known
        ``handle_seconds`` are used.

    Returns
    -------
    HandleTimeEstimate
        NaN figures when fewer than two handle times are known.
    """
    table = validate_contacts(contacts)
    h = table["handle_seconds"].to_numpy()
    h = h[(table["outcome"] == "answered").to_numpy(dtype=bool) & np.isfinite(h)]
    if len(h) < 2:
        nan = math.nan
        mean = float(h.mean()) if len(h) else nan
        return HandleTimeEstimate(
            count=len(h),
            mean_seconds=mean,
            cv=nan,
            log_mean=nan,
            log_std=nan,
            lognormal_mean_seconds=nan,
            lognormal_cv=nan,
        )
    logs = np.log(h)
    mu, sigma = float(logs.mean()), float(logs.std(ddof=1))
    return HandleTimeEstimate(
        count=len(h),
        mean_seconds=float(h.mean()),
        cv=float(h.std(ddof=1) / h.mean()),
        log_mean=mu,
        log_std=sigma,
        lognormal_mean_seconds=math.exp(mu + sigma**2 / 2),
        lognormal_cv=math.sqrt(math.expm1(sigma**2)),
    )


# ----------------------------------------------------------------------------- report


@dataclass(frozen=True, kw_only=True)
class ActualsReport:
    """KPI tables and model estimates of a call log.

    Attributes
    ----------
    intervals, days, months
        :func:`wfm.kpis.kpi_table` per interval, day and month. ``days`` also
        has ``abandoned_before_queue`` (callers who hung up before queueing,
        not offered).
    patience
        :class:`PatienceEstimate` over the whole log.
    patience_by_interval
        :func:`patience_by_period` per interval.
    handle_time
        :class:`HandleTimeEstimate` over the whole log.
    settings
        The :class:`wfm.kpis.KpiSettings` used.
    summary
        The log's :class:`CallLogSummary`.
    """

    intervals: pd.DataFrame
    days: pd.DataFrame
    months: pd.DataFrame
    patience: PatienceEstimate
    patience_by_interval: pd.DataFrame
    handle_time: HandleTimeEstimate
    settings: KpiSettings
    summary: CallLogSummary

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary: settings, row accounting, estimates, totals."""
        offered = int(self.days["offered"].sum())
        within = int(self.days["answered_within"].sum())
        abandoned = int(self.days["abandoned"].sum())
        return {
            "settings": {
                "interval_minutes": self.settings.interval_minutes,
                "answer_within_seconds": self.settings.answer_within_seconds,
                "short_abandon_seconds": self.settings.short_abandon_seconds,
                "repeat_within_days": self.settings.repeat_within_days,
            },
            "rows": self.summary.to_dict(),
            "totals": {
                "offered": offered,
                "answered": int(self.days["answered"].sum()),
                "abandoned": abandoned,
                "abandoned_before_queue": int(self.days["abandoned_before_queue"].sum()),
                "service_level": within / offered if offered else None,
                "abandon_rate": abandoned / offered if offered else None,
            },
            "patience": self.patience.to_dict(),
            "handle_time": self.handle_time.to_dict(),
        }


def actuals_report(log: CallLog, *, settings: KpiSettings | None = None) -> ActualsReport:
    """KPI tables per interval, day and month and the model estimates of a call log.

    Parameters
    ----------
    log
        A :class:`CallLog` from :func:`read_call_log`.
    settings
        Thresholds and interval length; default :class:`wfm.kpis.KpiSettings()`
        with ``repeat_within_days=7`` when the log has customer ids.

    Returns
    -------
    ActualsReport
    """
    if settings is None:
        repeat = 7.0 if "customer_id" in log.contacts.columns else None
        settings = KpiSettings(repeat_within_days=repeat)
    contacts = log.contacts.drop(columns="line")
    days = kpi_table(contacts, period="day", settings=settings)
    early = log.abandoned_before_queue
    early_days = (
        early["arrival"].dt.normalize().value_counts().rename("abandoned_before_queue")
        if len(early)
        else pd.Series(dtype=np.int64, name="abandoned_before_queue")
    )
    days = days.merge(early_days, how="outer", left_on="date", right_index=True)
    for col in days.columns:
        if pd.api.types.is_integer_dtype(days[col].dtype) or col == "abandoned_before_queue":
            days[col] = days[col].fillna(0).astype(np.int64)
    days = days.sort_values("date").reset_index(drop=True)
    return ActualsReport(
        intervals=kpi_table(contacts, period="interval", settings=settings),
        days=days,
        months=kpi_table(contacts, period="month", settings=settings),
        patience=estimate_patience(contacts),
        patience_by_interval=patience_by_period(
            contacts, period="interval", interval_minutes=settings.interval_minutes
        ),
        handle_time=estimate_handle_time(contacts),
        settings=settings,
        summary=log.summary,
    )


# ----------------------------------------------------------------------------- plan vs actual

#: Plan columns read by :func:`plan_vs_actual`, by role, in order of preference.
#: Agents on the phone: a roster coverage's ``coverage_on_phone`` first, else a
#: requirements table's ``required_on_phone``.
PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "calls": ("calls",),
    "aht_seconds": ("aht_seconds",),
    "agents": ("coverage_on_phone", "required_on_phone"),
    "service_level": ("service_level",),
}


@dataclass(frozen=True, kw_only=True)
class PlanVsActual:
    """A plan beside what happened, per interval and per day.

    Attributes
    ----------
    intervals
        One row per interval of the plan or of the actuals: ``interval_start``,
        ``match`` (``"both"``, ``"plan_only"``: no contact arrived and no
        agent was busy, ``"actual_only"``: not in the plan), then
        ``forecast_calls``, ``actual_offered``, ``forecast_aht_seconds``,
        ``actual_aht_seconds``, ``planned_agents``, ``actual_agents_served``,
        ``predicted_service_level``, ``actual_service_level`` (columns of the
        plan it does not have are left out).
    days
        Per ``date``: the sums of calls and offered; AHT weighted by calls
        (forecast) and over answered contacts (actual); ``planned_agent_hours``
        and ``actual_agent_hours`` (agents x interval hours, the actual from
        agents served); predicted service level weighted by forecast calls
        and the actual day's service level.
    plan_only, actual_only
        Intervals found on one side only.
    agents_column
        The plan column read as planned agents (``None`` if none).
    """

    intervals: pd.DataFrame
    days: pd.DataFrame
    plan_only: int
    actual_only: int
    agents_column: str | None


def _plan_role(plan: pd.DataFrame, role: str) -> str | None:
    return next((c for c in PLAN_COLUMNS[role] if c in plan.columns), None)


def plan_vs_actual(
    plan: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    settings: KpiSettings | None = None,
) -> PlanVsActual:
    """Lay a forecast, requirements or roster coverage beside the actuals.

    Parameters
    ----------
    plan
        One row per interval with ``interval_start`` and any of ``calls``,
        ``aht_seconds``, agents (first found of
        :data:`PLAN_COLUMNS` ``["agents"]``) and ``service_level``: a
        forecast, a requirements table or a roster's coverage table.
    contacts
        Contacts layout of :mod:`wfm.kpis` for the same period.
    settings
        KPI settings; ``interval_minutes`` must be the plan's interval.

    Returns
    -------
    PlanVsActual

    Raises
    ------
    DataError
        No ``interval_start``, duplicate or off-grid starts, non-numeric plan
        values.
    """
    settings = KpiSettings() if settings is None else settings
    if not isinstance(plan, pd.DataFrame) or "interval_start" not in plan.columns:
        raise DataError("plan", type(plan).__name__, "a table with an interval_start column")
    starts = pd.to_datetime(plan["interval_start"], errors="coerce")
    if isinstance(starts.dtype, pd.DatetimeTZDtype):
        starts = starts.dt.tz_localize(None)
    starts = starts.astype("datetime64[ns]")
    if starts.isna().any():
        pos = int(np.flatnonzero(starts.isna().to_numpy())[0])
        raise DataError(
            f"interval_start[row {pos}]", plan["interval_start"].iloc[pos], "a timestamp"
        )
    minutes = settings.interval_minutes
    off = (starts != starts.dt.floor(f"{minutes}min")).to_numpy()
    if off.any():
        pos = int(np.flatnonzero(off)[0])
        raise DataError(
            f"interval_start[row {pos}]",
            str(starts.iloc[pos]),
            f"a start on the {minutes}-minute grid (the actuals' interval)",
        )
    dup = starts.duplicated().to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise DataError(f"interval_start[row {pos}]", str(starts.iloc[pos]), "each start once")
    names = {
        "calls": "forecast_calls",
        "aht_seconds": "forecast_aht_seconds",
        "agents": "planned_agents",
        "service_level": "predicted_service_level",
    }
    mine = pd.DataFrame({"interval_start": starts.to_numpy()})
    for role, out_name in names.items():
        column = _plan_role(plan, role)
        if column is None:
            continue
        values = pd.to_numeric(plan[column], errors="coerce")
        bad = (values.isna() & plan[column].notna()).to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise DataError(f"{column}[row {pos}]", plan[column].iloc[pos], "a number")
        mine[out_name] = values.to_numpy(dtype=float)
    actual = kpi_table(contacts, period="interval", settings=settings)
    theirs = pd.DataFrame(
        {
            "interval_start": actual["interval_start"],
            "actual_offered": actual["offered"],
            "actual_answered": actual["answered"],
            "actual_answered_within": actual["answered_within"],
            "actual_aht_seconds": actual["aht_seconds"],
            "actual_service_level": actual["service_level"],
        }
    )
    if "agents_served" in actual.columns:
        theirs["actual_agents_served"] = actual["agents_served"]
    merged = mine.merge(theirs, on="interval_start", how="outer", indicator="match")
    merged["match"] = (
        merged["match"]
        .astype(str)
        .map({"both": "both", "left_only": "plan_only", "right_only": "actual_only"})
    )
    merged = merged.sort_values("interval_start").reset_index(drop=True)
    counts = ["actual_offered", "actual_answered", "actual_answered_within"]
    if "actual_agents_served" in merged.columns:
        counts.append("actual_agents_served")
    merged[counts] = merged[counts].fillna(0).astype(np.int64)
    order = ["interval_start", "match"] + [
        c
        for c in (
            "forecast_calls",
            "actual_offered",
            "forecast_aht_seconds",
            "actual_aht_seconds",
            "planned_agents",
            "actual_agents_served",
            "predicted_service_level",
            "actual_service_level",
        )
        if c in merged.columns
    ]
    intervals = merged[order]

    hours = minutes / 60.0
    day_key = merged["interval_start"].dt.normalize().rename("date")
    grouped = merged.groupby(day_key)
    days = pd.DataFrame(index=grouped.size().index)
    actual_days = kpi_table(contacts, period="day", settings=settings).set_index("date")
    if "forecast_calls" in merged.columns:
        days["forecast_calls"] = grouped["forecast_calls"].sum(min_count=1)
    days["actual_offered"] = grouped["actual_offered"].sum()
    if "forecast_aht_seconds" in merged.columns and "forecast_calls" in merged.columns:
        weight = merged["forecast_calls"] * merged["forecast_aht_seconds"]
        days["forecast_aht_seconds"] = weight.groupby(day_key).sum(min_count=1) / days[
            "forecast_calls"
        ].where(days["forecast_calls"] > 0)
    days["actual_aht_seconds"] = actual_days["aht_seconds"].reindex(days.index)
    if "planned_agents" in merged.columns:
        days["planned_agent_hours"] = grouped["planned_agents"].sum(min_count=1) * hours
    if "actual_agents_served" in merged.columns:
        days["actual_agent_hours"] = grouped["actual_agents_served"].sum() * hours
    if "predicted_service_level" in merged.columns and "forecast_calls" in merged.columns:
        weight = merged["forecast_calls"] * merged["predicted_service_level"]
        days["predicted_service_level"] = weight.groupby(day_key).sum(min_count=1) / days[
            "forecast_calls"
        ].where(days["forecast_calls"] > 0)
    days["actual_service_level"] = actual_days["service_level"].reindex(days.index)
    days = days.reset_index()
    return PlanVsActual(
        intervals=intervals,
        days=days,
        plan_only=int((merged["match"] == "plan_only").sum()),
        actual_only=int((merged["match"] == "actual_only").sum()),
        agents_column=_plan_role(plan, "agents"),
    )
