"""The README's Python snippets run, and its quick-start commands are the ones CI uses."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_the_two_quick_start_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)\n```", quick_start, flags=re.DOTALL)
    assert commands[0].startswith("python -m pip install . && wfm roster examples/")
    assert commands[1] == 'python -m pip install -e ".[dev]" && python -m pytest'
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_readme_python_snippet_runs(
    index: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": f"readme_snippet_{index}"}
    exec(compile(PYTHON_BLOCKS[index], f"README.md[python {index}]", "exec"), namespace)
    printed = capsys.readouterr().out
    assert printed.strip(), "every README snippet prints what it shows"
    if "wfm.solve(" in PYTHON_BLOCKS[index]:
        assert "SolveStatus." in printed  # RosterStatus is SolveStatus
    if "agents_for_service_level" in PYTHON_BLOCKS[index]:
        assert printed.startswith("14 0.88835")


def test_readme_paths_exist() -> None:
    for path in re.findall(r"`((?:examples|benchmarks|wfm)/[\w./-]+)`", README):
        assert (ROOT / path).exists(), path
    assert os.path.exists(ROOT / "benchmarks" / "README.md")
