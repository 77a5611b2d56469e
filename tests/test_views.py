"""Tests of the planner's view: verdicts, agent week, workbook, HTML in a real browser."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.cli import main
from wfm.views import read_roster_output, service_verdict
from wfm.views.agent import agent_week
from wfm.views.exports import week_grid
from wfm.views.tables import RosterOutput, flagged_intervals

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "contact_center" / "scenario.yaml"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Charts the example's report draws: coverage, Gantt, heat map, forecast.
CHARTS = ("chart-coverage", "chart-roster", "chart-service-level", "chart-forecast")


@pytest.fixture(scope="module")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "out"
    summary = io.StringIO()
    with contextlib.redirect_stdout(summary):
        code = main(
            [
                "roster",
                str(EXAMPLE),
                "-o",
                str(out),
                "--time-limit",
                "15",
                "--workers",
                "1",
                "--report",
                "--quiet",
            ]
        )
    assert code == 0
    (out / "stdout.txt").write_text(summary.getvalue(), encoding="utf-8")
    return out


def _hand_output(coverage: pd.DataFrame, *, target: float = 0.8) -> RosterOutput:
    empty = pd.DataFrame()
    return RosterOutput(
        directory=Path("."),
        roster=empty,
        breaks=empty,
        coverage=coverage,
        violations=empty,
        summary={"service_target_level": target},
    )


def test_verdict_counts_match_a_direct_count() -> None:
    rng = np.random.default_rng(5)
    stamps = pd.date_range("2027-01-04", periods=3 * 96, freq="15min")
    calls = np.where(rng.random(len(stamps)) < 0.6, rng.uniform(5, 60, len(stamps)), 0.0)
    aht = rng.uniform(180, 420, len(stamps))
    on_phone = rng.integers(0, 30, len(stamps)).astype(float)
    level = np.where(calls > 0, rng.uniform(0.3, 1.0, len(stamps)), np.nan)
    coverage = pd.DataFrame(
        {
            "interval_start": stamps,
            "required_scheduled": on_phone,
            "coverage_scheduled": on_phone,
            "coverage_on_phone": on_phone,
            "calls": calls,
            "aht_seconds": aht,
            "service_level": level,
        }
    )
    verdict = service_verdict(_hand_output(coverage))
    below = overloaded = 0
    per_day: dict[object, list[float]] = {}
    for stamp, c, a, n, sl in zip(stamps, calls, aht, on_phone, level, strict=True):
        if c <= 0:
            continue
        below += sl < 0.8
        overloaded += n <= c * a / 900.0
        day = per_day.setdefault(stamp.date(), [0.0, 0.0])
        day[0] += c * sl
        day[1] += c
    levels = {d: v[0] / v[1] for d, v in per_day.items()}
    assert verdict.intervals_with_calls == int((calls > 0).sum())
    assert verdict.intervals_below_target == below
    assert verdict.intervals_overloaded == overloaded > 0
    assert verdict.lowest_day_service_level == pytest.approx(min(levels.values()))
    assert verdict.lowest_day is not None
    assert verdict.lowest_day.endswith(str(min(levels, key=levels.__getitem__)))
    assert not verdict.meets_target  # overloaded intervals never meet the target
    flags = flagged_intervals(_hand_output(coverage))
    assert len(flags) == int((flags["below_target"] | flags["overloaded"]).sum())
    assert flags["service_level"].is_monotonic_increasing


@pytest.mark.slow
def test_roster_summary_names_weak_intervals_and_lowest_day(
    example_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    verdict = service_verdict(read_roster_output(example_out))
    assert verdict.intervals_with_calls > 0 and verdict.lowest_day is not None
    printed = (example_out / "stdout.txt").read_text(encoding="utf-8")
    weak = re.search(r"weak intervals +(\d+) of (\d+) below target .*, (\d+) overloaded", printed)
    assert weak is not None, printed
    assert [int(g) for g in weak.groups()] == [
        verdict.intervals_below_target,
        verdict.intervals_with_calls,
        verdict.intervals_overloaded,
    ]
    assert f"lowest day      {verdict.lowest_day}" in printed
    said_meets = "(meets target)" in printed
    assert said_meets == verdict.meets_target
    code = main(["report", str(example_out), "--agent", "F001"])
    out = capsys.readouterr().out
    assert code == 0
    assert "agent F001" in out and "paid_hours" in out


@pytest.mark.slow
def test_agent_week_adds_up_to_the_roster(example_out: Path) -> None:
    output = read_roster_output(example_out)
    roster = output.roster
    for agent_id in ("F001", "P001", "W001"):
        week = agent_week(output, agent_id)
        mine = roster[roster["agent_id"] == agent_id]
        assert len(week) == 7
        assert (week["template"] != "off").sum() == len(mine)
        assert week["paid_hours"].sum() == pytest.approx(mine["paid_minutes"].sum() / 60.0)


@pytest.mark.slow
def test_workbook_week_grid_matches_roster_csv(example_out: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(example_out / "roster.xlsx", read_only=True)
    assert {"week grid", "roster", "breaks", "coverage", "violations", "summary"} <= set(
        book.sheetnames
    )
    rows = list(book["week grid"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    roster = pd.read_csv(example_out / "roster.csv")
    expected = {(r.agent_id, r.date): f"{r.start[-5:]}-{r.end[-5:]}" for r in roster.itertuples()}
    day_columns = [i for i, name in enumerate(header) if re.match(r"^\w{3} \d{4}-\d\d-\d\d$", name)]
    assert len(day_columns) == 7
    seen = {}
    for row in body:
        for i in day_columns:
            if row[i]:
                seen[(row[0], header[i][4:])] = row[i]
    assert seen == expected
    assert len(body) == len(week_grid(read_roster_output(example_out)))


def _chromium(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            # the network is disabled: no name resolves and every proxy request fails
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag in ("script", "img", "iframe") and names.get("src"):
            self.external.append(f"{tag} {names['src']}")
        if tag == "link":
            self.external.append(f"link {names.get('href')}")


def _external_resources(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    return parser.external


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium browser installed (apt-get install chromium)"
)
def test_report_draws_every_chart_offline_without_console_errors(
    example_out: Path, tmp_path: Path
) -> None:
    report = example_out / "report.html"
    text = report.read_text(encoding="utf-8")
    assert report.stat().st_size < 5_000_000
    assert _external_resources(text) == []  # every script and style is inline
    # the console check can fail: a page with an error is caught
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefinedName();</script></body></html>")
    assert _console(_chromium(bad.as_uri(), "--dump-dom", "--virtual-time-budget=500").stderr)

    done = _chromium(report.as_uri(), "--dump-dom", "--virtual-time-budget=5000")
    assert done.returncode == 0, done.stderr[-2000:]
    assert _console(done.stderr) == []
    dom = done.stdout
    starts = sorted((dom.index(f'id="{chart}"'), chart) for chart in CHARTS)
    for (start, chart), (end, _) in zip(starts, [*starts[1:], (len(dom), "")], strict=True):
        body = dom[start:end]
        assert 'class="main-svg"' in body, chart
        assert re.search(r'class="(trace|hm|heatmaplayer)', body) or "<image" in body, chart
    assert dom.count('class="main-svg"') >= 2 * len(CHARTS)  # plot and overlay layers


def test_report_of_a_directory_without_tables_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "summary.json" in err
    assert not (tmp_path / "report.html").exists()


def test_roster_output_dash_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["roster", str(EXAMPLE), "-o", "-"]) == 2
    assert "-o/--output: got '-'" in capsys.readouterr().err
    assert not Path("-").exists()


@pytest.mark.slow
def test_unknown_agent_is_refused_before_any_file_is_written(
    example_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "r.html"
    assert main(["report", str(example_out), "--html", str(html), "--agent", "nobody"]) == 2
    assert "agent: got 'nobody'" in capsys.readouterr().err
    assert not html.exists()


_PNG_ROWS = 400


def _png_pixels(data: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct pixels of the first rows of an 8-bit RGB(A) PNG
    (filters undone; :data:`_PNG_ROWS` rows tell a drawing from a blank)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    idat = b""
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IDAT":
            idat += body
        else:
            chunks.setdefault(kind, body)
        pos += 12 + length
    header = chunks[b"IHDR"]
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour = header[8], header[9]
    assert depth == 8 and colour in (2, 6), (depth, colour)
    step = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * step
    previous = bytearray(stride)
    pixels: set[bytes] = set()
    for row in range(min(height, _PNG_ROWS)):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up = previous[i]
            corner = previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                guess = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + guess) & 0xFF
        if row % 7 == 0:  # a sample of the rows is plenty to tell a drawing from a blank
            pixels |= {bytes(line[i : i + 3]) for i in range(0, stride, step)}
        previous = line
    return width, height, pixels


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium browser installed (apt-get install chromium)"
)
def test_simulated_report_and_chart_images(example_out: Path, tmp_path: Path) -> None:
    """The example with a simulation: the plan vs actual chart draws in the page and every
    chart becomes a PNG and an SVG that are not blank."""
    sim = tmp_path / "sim"
    argv = ["simulate", str(example_out), "-o", str(sim), "--replications", "3"]
    assert main([*argv, "--scenario", str(EXAMPLE), "--report"]) == 0
    report = sim / "report.html"
    assert report.stat().st_size < 5_000_000
    done = _chromium(report.as_uri(), "--dump-dom", "--virtual-time-budget=5000")
    assert done.returncode == 0 and _console(done.stderr) == []
    dom = done.stdout
    body = dom[dom.index('id="chart-plan-vs-actual"') :]
    assert 'class="main-svg"' in body and 'class="trace' in body

    images = tmp_path / "images"
    code = main(["report", str(example_out), "--simulation", str(sim), "--images", str(images)])
    assert code == 0
    names = ("coverage", "roster", "service_level", "forecast", "plan_vs_actual")
    assert sorted(p.name for p in images.iterdir()) == sorted(
        f"{n}.{kind}" for n in names for kind in ("png", "svg")
    )
    for name in names:
        width, height, pixels = _png_pixels((images / f"{name}.png").read_bytes())
        assert width == 1400 and height >= 300, name
        assert len(pixels) > 20, name  # lines, fills and text, not one background colour
        svg = (images / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and ('class="trace' in svg or "<image" in svg), name
    # the Gantt grows with the agents
    assert _png_pixels((images / "roster.png").read_bytes())[1] > 900
