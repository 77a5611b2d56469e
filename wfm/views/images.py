"""Static images of the report's charts (PNG and SVG), for e-mail and slides.

:func:`write_chart_images` draws every chart of :func:`wfm.views.page.report_figures`
in a headless Chromium, the browser the report's own test uses, and asks
plotly.js for each chart's PNG and SVG (``Plotly.toImage``): the same
drawing as the HTML report, without the sort and day buttons. One browser
start serves every chart.

Why a browser rather than kaleido: kaleido 1.x fetches Chrome at run time
(which fails on an offline machine) and kaleido 0.2 ships a Chromium of its
own inside an ~80 MB wheel; Debian's ``chromium`` package (``apt-get
install chromium``) is what CI installs for the report test already. The
browser is found as ``$WFM_BROWSER``, else ``chromium``,
``chromium-browser``, ``google-chrome`` or ``google-chrome-stable`` on the
``PATH``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfm.errors import WFMError

if TYPE_CHECKING:
    from wfm.views.outcomes import Outcomes
    from wfm.views.tables import RosterOutput

__all__ = ["BROWSER_NAMES", "IMAGE_WIDTH_PIXELS", "find_browser", "write_chart_images"]

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executables tried, in order, when ``$WFM_BROWSER`` is not set."""

IMAGE_WIDTH_PIXELS = 1400
"""Width of each image; the height is the chart's own (the Gantt grows with the agents)."""

_DEFAULT_HEIGHT_PIXELS = 500
_BUDGET_MILLISECONDS = 30_000
_TIMEOUT_SECONDS = 180

_SCRIPT = """
const specs = %s;
const out = (id, text) => { const pre = document.createElement('pre'); pre.id = id;
  pre.textContent = text; document.body.appendChild(pre); };
Promise.all(specs.map((s) => {
  const div = document.createElement('div'); document.body.appendChild(div);
  const size = {width: s.layout.width, height: s.layout.height};
  return Plotly.newPlot(div, s.data, s.layout, {staticPlot: true}).then((gd) => Promise.all([
    Plotly.toImage(gd, Object.assign({format: 'png', scale: 1}, size)),
    Plotly.toImage(gd, Object.assign({format: 'svg'}, size))]));
})).then((urls) => out('wfm-images', JSON.stringify(urls)), (err) => out('wfm-error', String(err)));
"""


def find_browser() -> str | None:
    """The headless browser to draw with (see the module docstring), or ``None``."""
    given = os.environ.get("WFM_BROWSER")
    if given:
        return shutil.which(given) or (given if Path(given).is_file() else None)
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _file_name(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


def _static_spec(fig: Any) -> dict[str, Any]:
    import plotly.io as pio

    spec: dict[str, Any] = json.loads(pio.to_json(fig))
    layout = spec.setdefault("layout", {})
    layout.pop("updatemenus", None)  # buttons do nothing on paper
    layout["width"] = IMAGE_WIDTH_PIXELS
    layout.setdefault("height", _DEFAULT_HEIGHT_PIXELS)
    return spec


def write_chart_images(
    output: RosterOutput,
    directory: str | Path,
    *,
    formats: tuple[str, ...] = ("png", "svg"),
    browser: str | None = None,
    outcomes: Outcomes | None = None,
) -> list[Path]:
    """Write ``TITLE.png`` and ``TITLE.svg`` of each chart of the report into ``directory``.

    Parameters
    ----------
    output
        The tables of a roster output directory.
    directory
        Where to write (created if missing): ``coverage``, ``roster``,
        ``service_level`` and, when the run forecast, ``forecast``.
    formats
        ``"png"``, ``"svg"`` or both.
    browser
        The browser executable (default: :func:`find_browser`).
    outcomes
        A simulation and/or actuals: adds ``plan_vs_actual``.

    Returns
    -------
    list of Path
        The images written, chart by chart.

    Raises
    ------
    wfm.errors.WFMError
        When no browser is found, or the browser fails to draw a chart.
    """
    from plotly.offline import get_plotlyjs

    from wfm.views.page import report_figures

    unknown = [f for f in formats if f not in ("png", "svg")]
    if unknown or not formats:
        raise WFMError(f"image formats: got {list(formats)}, expected png and/or svg")
    executable = browser or find_browser()
    if executable is None:
        raise WFMError(
            "chart images need a headless Chromium: apt-get install chromium "
            "(or set WFM_BROWSER to a Chrome/Chromium executable)"
        )
    figures = report_figures(output, outcomes)
    specs = [_static_spec(fig) for _, fig in figures]
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><script>"
        + get_plotlyjs()
        + "</script></head><body><script>"
        + _SCRIPT % json.dumps(specs)
        + "</script></body></html>"
    )
    with tempfile.TemporaryDirectory(prefix="wfm-images-") as scratch:
        source = Path(scratch) / "charts.html"
        source.write_text(page, encoding="utf-8")
        done = subprocess.run(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={Path(scratch) / 'profile'}",
                f"--virtual-time-budget={_BUDGET_MILLISECONDS}",
                "--dump-dom",
                source.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    found = re.search(r'<pre id="wfm-images">(.*?)</pre>', done.stdout, re.S)
    if done.returncode != 0 or found is None:
        error = re.search(r'<pre id="wfm-error">(.*?)</pre>', done.stdout, re.S)
        why = html.unescape(error.group(1)) if error else done.stderr.strip()[-300:]
        raise WFMError(f"the browser did not draw the charts ({executable}): {why}")
    urls: list[list[str]] = json.loads(html.unescape(found.group(1)))
    where = Path(directory)
    where.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for (title, _), (png, svg) in zip(figures, urls, strict=True):
        name = _file_name(title)
        if "png" in formats:
            target = where / f"{name}.png"
            target.write_bytes(base64.b64decode(png.split(",", 1)[1]))
            written.append(target)
        if "svg" in formats:
            target = where / f"{name}.svg"
            target.write_text(urllib.parse.unquote(svg.split(",", 1)[1]), encoding="utf-8")
            written.append(target)
    return written
