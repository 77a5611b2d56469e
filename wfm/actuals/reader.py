"""Reading a call log into the contacts layout, accounting for every row."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm.actuals.mapping import CallLogMapping
from wfm.errors import ValidationError
from wfm.kpis import read_timestamps, validate_contacts, zone_for_offsets
from wfm.tables import read_csv_file

__all__ = ["CallLog", "CallLogSummary", "read_call_log"]

Source = str | os.PathLike[str] | pd.DataFrame

# a UTC offset after the time of an ISO 8601 timestamp: "Z", "+02:00", "-0500"
_OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


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
    notes: tuple[str, ...] = ()
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
            "notes": list(self.notes),
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
        lines.extend(f"note: {note}" for note in self.notes)
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
    frame = read_csv_file(
        source,
        what="a delimited call log with a header row",
        sep=mapping.separator,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,  # a blank line is a row (rejected), so lines stay true
        engine="c",
    )
    return frame, str(source), 2


def _numbers(text: pd.Series) -> np.ndarray:
    return pd.to_numeric(text.str.strip(), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _offsets_of(raw: pd.Series, fmt: str) -> np.ndarray:
    """Whether each arrival text carries a UTC offset (ISO 8601, or a format with ``%z``)."""
    if fmt == "ISO8601":
        return raw.str.contains(_OFFSET, regex=True).fillna(False).to_numpy(dtype=bool)
    return np.full(len(raw), "%z" in fmt, dtype=bool)


def _arrivals(
    raw: pd.Series,
    fmt: str,
    time_zone: str | None,
    column: str,
    notes: list[str],
    active: np.ndarray,
    reject: Any,
) -> pd.Series:
    """Arrival timestamps: naive as written, or instants (offsets, or a time zone).

    Rows that cannot be placed are rejected with their reason (an arrival
    without an offset among arrivals with offsets and no time zone to read
    it; a local time the spring change skips); unparsable ones come back NaT.
    """
    with_offset = _offsets_of(raw, fmt)
    if time_zone is None and not with_offset.any():
        return pd.to_datetime(raw, format=fmt, errors="coerce").astype("datetime64[ns]")
    filled = (raw.fillna("") != "").to_numpy(dtype=bool)
    if time_zone is None:
        reject(
            active & filled & ~with_offset,
            "arrival without a UTC offset among arrivals with offsets (give time_zone)",
            column,
            raw,
        )
    text = raw.where(with_offset | (time_zone is not None))
    if fmt == "ISO8601":
        stamps = read_timestamps(text, time_zone=time_zone, where=column)
    else:
        stamps = _formatted(text, fmt, time_zone, column)
    if time_zone is not None:
        naive = ~with_offset & filled
        parsed = pd.to_datetime(raw.where(naive), format=fmt, errors="coerce")
        skipped = naive & parsed.notna().to_numpy() & stamps.isna().to_numpy()
        reject(active & skipped, f"arrival in the hour {time_zone} skips", column, raw)
        notes.append(f"arrivals on the local clock of {time_zone}")
    else:
        notes.append(
            f"arrivals with UTC offsets kept as instants, on the local clock of {stamps.dt.tz} "
            "(a zone with those offsets; time_zone in the mapping names yours)"
        )
    return stamps


def _formatted(text: pd.Series, fmt: str, time_zone: str | None, column: str) -> pd.Series:
    """Arrivals read with a ``strftime`` format (``%z``: each row's own offset)."""
    if "%z" not in fmt:
        naive = pd.to_datetime(text, format=fmt, errors="coerce").astype("datetime64[ns]")
        return read_timestamps(naive, time_zone=time_zone, where=column)
    instants = pd.to_datetime(text, format=fmt, errors="coerce", utc=True).dt.as_unit("ns")
    if time_zone is not None:
        return instants.dt.tz_convert(time_zone)
    offsets = np.full(len(text), np.nan)
    for i, value in enumerate(text.to_numpy(dtype=object)):
        if isinstance(value, str) and pd.notna(instants.iloc[i]):
            offset = dt.datetime.strptime(value, fmt).utcoffset()
            offsets[i] = np.nan if offset is None else offset.total_seconds() / 60.0
    known = instants.notna().to_numpy()
    zone = zone_for_offsets(instants[known], offsets[known], where=column)
    return instants.dt.tz_convert(zone)


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
    notes: list[str] = []
    arrival = _arrivals(raw, fmt, mapping.time_zone, column, notes, active, reject)
    reject(active & arrival.isna().to_numpy(), "unparsable arrival", column, raw)

    wait_text = frame[mapping.wait_seconds_column].astype("string")
    wait = _numbers(wait_text)
    col = mapping.wait_seconds_column
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
        notes=tuple(notes),
        first_arrival=contacts["arrival"].min() if len(contacts) else None,
        last_arrival=contacts["arrival"].max() if len(contacts) else None,
    )
    return CallLog(
        contacts=contacts, abandoned_before_queue=early, rejected=rejected, summary=summary
    )
