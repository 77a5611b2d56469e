"""Sweeps on dask.distributed: a local cluster of two worker processes, and a separate one.

Every table is compared with the serial run of the same cases: requirements
and simulations are pure functions of their seeds, and the tiny scenario's
rosters are stopped by a deterministic limit on one CP-SAT worker, so where
a case ran must not show in what it found.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from test_sweep import tiny_scenario, what_it_found  # noqa: E402

from wfm.cli import main  # noqa: E402
from wfm.sweep import DaskExecutor, SimulationSettings, batch, sweep  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A local cluster of two single-threaded worker processes and its client."""
    local = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(local)
    yield client
    client.close()
    local.close()


def test_local_cluster_sweep_table_equals_the_serial_one(cluster: Any, tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    vary = {
        "service.target": [0.75, 0.9],
        "service.shrinkage": [0.1, 0.15],
        "aht_scale": [0.9, 1.1],
    }
    on_cluster = sweep(path, vary, executor=DaskExecutor(client=cluster))
    serial = sweep(path, vary, executor="serial")
    pd.testing.assert_frame_equal(what_it_found(on_cluster.table), what_it_found(serial.table))
    assert on_cluster.table["worker"].nunique() == 2  # both workers took cases
    assert os.getpid() not in {int(w.rsplit(":", 1)[1]) for w in on_cluster.table["worker"]}


def test_local_cluster_rosters_equal_the_serial_ones(cluster: Any, tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    vary = {"service.target": [0.8, 0.9], "agents_scale": [0.75, 1.0]}
    on_cluster = sweep(path, vary, stage="roster", executor=DaskExecutor(client=cluster))
    serial = sweep(path, vary, stage="roster", executor="serial")
    pd.testing.assert_frame_equal(what_it_found(on_cluster.table), what_it_found(serial.table))
    assert on_cluster.table["roster_status"].isin(["OPTIMAL", "FEASIBLE"]).all()


def test_a_failing_case_is_reported_while_the_others_finish(cluster: Any, tmp_path: Path) -> None:
    shown: list[Any] = []
    result = sweep(
        tiny_scenario(tmp_path),
        {"calls_scale": [1.0, 1e6, 1.5, 2.0]},
        executor=DaskExecutor(client=cluster),
        progress=lambda done, total, case: shown.append(case),
    )
    table = result.table.set_index("calls_scale")
    assert table.loc[1e6, "error"].startswith("DataError: demand.forecast")
    assert table.drop(index=1e6)["error"].isna().all()
    assert (table.drop(index=1e6)["required_scheduled_agent_hours"] > 0).all()
    assert sorted(r.index for r in shown) == [0, 1, 2, 3]  # streamed, one by one


def test_killing_a_worker_mid_sweep_still_completes_every_case(
    cluster: Any, tmp_path: Path
) -> None:
    path = tiny_scenario(tmp_path)
    vary = {"service.target": [0.7, 0.8, 0.9, 0.95]}
    simulation = SimulationSettings(replications=8, seed=1)
    pids = cluster.run(os.getpid)  # worker address -> process id
    killed: dict[str, Any] = {}

    def kill_the_worker_that_just_finished(done: int, total: int, case: Any) -> None:
        if killed:
            return
        pid = int(case.worker.rsplit(":", 1)[1])
        address = next(a for a, p in pids.items() if p == pid)
        killed["busy"] = list(cluster.processing(workers=[address]).get(address, ()))
        killed["pid"] = pid
        os.kill(pid, 9)  # the worker process dies in the middle of its next case

    on_cluster = sweep(
        path,
        vary,
        stage="simulate",
        simulation=simulation,
        executor=DaskExecutor(client=cluster),
        progress=kill_the_worker_that_just_finished,
    )
    assert killed["busy"], "the killed worker was running a case"
    assert on_cluster.table["error"].isna().all()
    assert on_cluster.table["service_level_simulated"].notna().all()
    serial = sweep(path, vary, stage="simulate", simulation=simulation, executor="serial")
    pd.testing.assert_frame_equal(what_it_found(on_cluster.table), what_it_found(serial.table))
    assert killed["pid"] not in set(cluster.run(os.getpid).values())  # the nanny replaced it


def test_batch_on_the_local_cluster_equals_the_serial_batch(cluster: Any, tmp_path: Path) -> None:
    paths = [
        tiny_scenario(tmp_path / "north", name="north"),
        tiny_scenario(
            tmp_path / "south",
            name="south",
            agents=[{"agent_id": f"s{i}", "contract": "c"} for i in range(7)],
        ),
    ]
    on_cluster = batch(paths, tmp_path / "cluster", executor=DaskExecutor(client=cluster))
    serial = batch(paths, tmp_path / "serial", executor="serial")
    found = ["scenario", "roster_status", "paid_hours", "understaffing_agent_hours"]
    pd.testing.assert_frame_equal(on_cluster.table[found], serial.table[found])
    for folder in ("north", "south"):
        assert (tmp_path / "cluster" / folder / "roster.csv").read_text() == (
            tmp_path / "serial" / folder / "roster.csv"
        ).read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_sweep_on_a_separately_started_scheduler(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    dask = [sys.executable, "-m", "dask"]
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = [
        subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / "scheduler.txt").open("w"),
        ),
        subprocess.Popen(
            [
                *dask,
                "worker",
                address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(logs / "worker.txt").open("w"),
        ),
    ]
    try:
        _wait_for_a_worker(address)
        path = tiny_scenario(tmp_path)
        out = tmp_path / "out"
        args = ["sweep", str(path), "--vary", "service.target=0.8,0.9", "--vary", "aht_scale=1,1.2"]
        assert main([*args, "--scheduler", address, "-o", str(out)]) == 0
        assert f"scheduler {address}" in capsys.readouterr().out
        table = pd.read_csv(out / "results.csv")
        assert main([*args, "--serial", "-o", str(tmp_path / "serial")]) == 0
        serial = pd.read_csv(tmp_path / "serial" / "results.csv")
        pd.testing.assert_frame_equal(what_it_found(table), what_it_found(serial))
        assert (table["worker"] != serial["worker"]).all()  # the cases ran in the worker
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for_a_worker(address: str, timeout_seconds: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            with distributed.Client(address, timeout="2s") as client:
                client.wait_for_workers(1, timeout=max(1.0, deadline - time.monotonic()))
                return
        except (OSError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"no dask worker came up at {address}")
