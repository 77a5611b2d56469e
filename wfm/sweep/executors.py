"""Where the cases of a sweep or a batch run: one after another, or on dask.distributed.

An executor runs a task function over a list of cases that share one input
and yields each result as it finishes (:meth:`SerialExecutor.run`,
:meth:`DaskExecutor.run`). The task function never raises for a case's own
error (it returns it); the executor reports a case whose process was lost.

:class:`DaskExecutor` (the optional extra ``pip install 'wfm[distributed]'``)
starts a :class:`distributed.LocalCluster` of one single-threaded worker
process per core, or connects to a running scheduler
(``tcp://HOST:PORT``, or the ``DASK_SCHEDULER_ADDRESS`` environment
variable). The shared input is scattered once to every worker; each case is
one task (no solver state crosses the network); results stream back as they
finish. A worker lost while it runs a case is replaced and the case run again
elsewhere by the scheduler; a case whose workers keep dying (the scheduler
gives up with ``KilledWorker``) is submitted again up to ``retries`` times,
then reported as failed.

CP-SAT brings its own threads, so the roster's CP-SAT workers per case are
chosen so that cases in parallel times workers per case stays within the
cores (:meth:`SerialExecutor.solver_workers`, :meth:`DaskExecutor.solver_workers`).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from wfm.errors import ValidationError
from wfm.roster.options import machine_cores

__all__ = [
    "SCHEDULER_ENVIRONMENT_VARIABLE",
    "DaskExecutor",
    "Executor",
    "SerialExecutor",
    "dask_available",
    "make_executor",
]

#: Environment variable naming a running scheduler (as dask itself reads it).
SCHEDULER_ENVIRONMENT_VARIABLE = "DASK_SCHEDULER_ADDRESS"

C = TypeVar("C")
R = TypeVar("R")


def dask_available() -> bool:
    """Whether :mod:`distributed` can be imported."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


class Executor(Protocol):
    """What a sweep needs of an executor."""

    description: str

    def solver_workers(self) -> int:
        """CP-SAT workers per case so that parallel cases x workers <= cores."""
        ...

    def run(
        self,
        task: Callable[[Any, Any], Any],
        shared: Any,
        cases: Sequence[Any],
        *,
        on_lost: Callable[[Any, str], Any],
    ) -> Iterator[Any]:
        """Yield ``task(case, shared)`` for every case as each finishes."""
        ...

    def close(self) -> None:
        """Release what the executor started."""
        ...


class SerialExecutor:
    """Every case in this process, one after another."""

    def __init__(self, *, note: str | None = None) -> None:
        self.description = "serial (this process)"
        self.note = note

    def solver_workers(self) -> int:
        """One case at a time: every core to its CP-SAT search."""
        return machine_cores()

    def run(
        self,
        task: Callable[[Any, Any], Any],
        shared: Any,
        cases: Sequence[Any],
        *,
        on_lost: Callable[[Any, str], Any],
    ) -> Iterator[Any]:
        """Yield ``task(case, shared)`` for each case in order."""
        for case in cases:
            yield task(case, shared)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskExecutor:
    """Cases as tasks of a dask.distributed cluster.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://HOST:PORT``); ``None``: a
        new :class:`distributed.LocalCluster` on this machine.
    n_workers
        Worker processes of the local cluster (default: the machine's
        cores), each with one thread.
    client
        An existing :class:`distributed.Client` to use instead (not closed
        by :meth:`close`).
    retries
        Times a case is submitted again after the scheduler gave it up
        because the workers running it died.
    """

    def __init__(
        self,
        *,
        scheduler: str | None = None,
        n_workers: int | None = None,
        client: Any = None,
        retries: int = 2,
    ) -> None:
        if not dask_available():
            raise ValidationError(
                "--scheduler" if scheduler else "executor",
                scheduler or "dask",
                "dask.distributed installed (pip install 'wfm[distributed]')",
            )
        if n_workers is not None and not (isinstance(n_workers, int) and n_workers >= 1):
            raise ValidationError("n_workers", n_workers, "a whole number >= 1")
        if not (isinstance(retries, int) and retries >= 0):
            raise ValidationError("retries", retries, "a whole number >= 0")
        from distributed import Client, LocalCluster

        self.retries = retries
        self._owns_client = client is None
        self._cluster: Any = None
        self._local = False
        if client is not None:
            self.client = client
            self._local = isinstance(getattr(client, "cluster", None), LocalCluster)
        elif scheduler:
            try:
                self.client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ValidationError(
                    "--scheduler", scheduler, f"the address of a running dask scheduler ({exc})"
                ) from None
        else:
            workers = n_workers or machine_cores()
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self._cluster)
            self._local = True
        where = "local cluster" if self._local else f"scheduler {self.client.scheduler.address}"
        self.description = f"dask {where}, {self._threads()} worker threads"

    def _threads(self) -> int:
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return sum(int(w.get("nthreads", 1)) for w in workers.values()) or 1

    def solver_workers(self) -> int:
        """Cores // worker threads on a local cluster; 1 on a cluster elsewhere."""
        if self._local:
            return max(1, machine_cores() // self._threads())
        return 1

    def run(
        self,
        task: Callable[[Any, Any], Any],
        shared: Any,
        cases: Sequence[Any],
        *,
        on_lost: Callable[[Any, str], Any],
    ) -> Iterator[Any]:
        """Scatter ``shared`` once, submit one task per case, yield results as they finish.

        ``on_lost(case, message)`` makes the result of a case given up after
        ``retries`` further submissions (its workers kept dying).
        """
        from distributed import as_completed

        client = self.client
        # scattered once, to every worker: a worker that dies takes no only copy with it
        shared_future = (
            None if shared is None else client.scatter(shared, broadcast=True, hash=False)
        )
        token = uuid.uuid4().hex[:8]
        attempts: dict[Any, int] = {}
        owner: dict[Any, Any] = {}

        def submit(case: Any) -> Any:
            attempt = attempts.get(id(case), 0)
            future = client.submit(
                task,
                case,
                shared_future,
                key=f"wfm-case-{token}-{len(owner)}-{attempt}",
                pure=False,
            )
            owner[future.key] = case
            return future

        futures = [submit(case) for case in cases]
        queue = as_completed(futures)
        try:
            for future in queue:
                case = owner[future.key]
                try:
                    result = future.result()
                except Exception as exc:  # the task itself never raises: its workers were lost
                    tries = attempts.get(id(case), 0)
                    if tries < self.retries:
                        attempts[id(case)] = tries + 1
                        queue.add(submit(case))
                        continue
                    result = on_lost(case, f"{type(exc).__name__}: {exc} (after {tries} retries)")
                finally:
                    future.release()
                yield result
        finally:
            for future in futures:
                if not future.done():
                    future.cancel()
            if shared_future is not None:
                shared_future.release()

    def close(self) -> None:
        """Close the client and the local cluster this executor started."""
        if self._owns_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_executor(
    executor: str | Executor | None,
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
) -> Executor:
    """The executor asked for.

    Parameters
    ----------
    executor
        ``"serial"``; ``"dask"`` (a local cluster, or ``scheduler``);
        ``"auto"`` or ``None``: dask when ``scheduler`` (or
        ``DASK_SCHEDULER_ADDRESS``) is given or dask.distributed is installed,
        else serial with a note saying so; or an executor object, used as is.
    scheduler
        Address of a running scheduler; ``None``: ``DASK_SCHEDULER_ADDRESS``
        when set.
    n_workers
        Worker processes of a local cluster (default: the cores).

    Returns
    -------
    Executor
        Close it when done (:meth:`close`, or use it in a ``with`` block).
    """
    if executor is not None and not isinstance(executor, str):
        return executor
    choice = executor or "auto"
    if choice not in ("auto", "serial", "dask"):
        raise ValidationError("executor", choice, "'auto', 'serial' or 'dask'")
    address = scheduler or os.environ.get(SCHEDULER_ENVIRONMENT_VARIABLE) or None
    if choice == "serial":
        if scheduler:
            raise ValidationError("--scheduler", scheduler, "no scheduler with a serial run")
        return SerialExecutor()
    if choice == "auto" and address is None and not dask_available():
        return SerialExecutor(
            note="dask.distributed is not installed (pip install 'wfm[distributed]'): "
            "the cases run one after another in this process"
        )
    return DaskExecutor(scheduler=address, n_workers=n_workers)
