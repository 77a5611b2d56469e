"""ARCHITECTURE.md stays true to the code it maps."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.roster.rules import RULES, RuleUnit

ARCHITECTURE = Path(__file__).resolve().parent.parent / "ARCHITECTURE.md"
RULES_SECTION = "## Rules: where each is encoded"


def _section(title: str) -> list[str]:
    lines = ARCHITECTURE.read_text(encoding="utf-8").splitlines()
    assert title in lines, f"ARCHITECTURE.md has no section {title!r}"
    body = lines[lines.index(title) + 1 :]
    end = next((i for i, line in enumerate(body) if line.startswith("## ")), len(body))
    return body[:end]


def _tables(lines: list[str]) -> list[dict[str, list[str]]]:
    """Each markdown table of ``lines``: first cell of a row (backticks removed) -> its cells."""
    tables: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for line in lines:
        if not line.startswith("|"):
            current = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if current is None:
            current = {}
            tables.append(current)
            current["header"] = cells
        elif not set(cells[0]) <= {"-", " "}:
            current[cells[0].strip("`")] = cells
    return tables


def _code(path: str | None) -> str:
    return "—" if path is None else f"`{path}`"


def _where(unit: RuleUnit) -> list[str]:
    e = unit.encodings
    return [
        f"`{unit.name}`",
        unit.kind,
        f"`{unit.family}`",
        *(
            _code(e[part])
            for part in (
                "model",
                "precheck",
                "checker",
                "shift_options",
                "lp_bound",
                "class_flow",
            )
        ),
    ]


def _how(unit: RuleUnit) -> list[str]:
    return [
        f"`{unit.name}`",
        unit.description,
        _code(unit.contract_field),
        unit.shift_options.how,
        unit.lp_bound.how,
        unit.class_flow.how,
    ]


@pytest.fixture(scope="module")
def tables() -> list[dict[str, list[str]]]:
    found = _tables(_section(RULES_SECTION))
    assert len(found) == 2, "the rules section holds a 'where' table and a 'how' table"
    return found


def test_every_rule_unit_is_in_the_where_table_with_its_functions(
    tables: list[dict[str, list[str]]],
) -> None:
    where = tables[0]
    assert where["header"][:4] == ["Rule", "Kind", "Family", "CP-SAT model"]
    for unit in RULES:
        assert unit.name in where, f"{unit.name} is missing from ARCHITECTURE.md"
        assert where[unit.name] == _where(unit), f"row {unit.name} disagrees with the registry"
    assert set(where) - {"header"} == {unit.name for unit in RULES}


def test_every_rule_unit_is_in_the_how_table(tables: list[dict[str, list[str]]]) -> None:
    how = tables[1]
    for unit in RULES:
        assert how.get(unit.name) == _how(unit), f"row {unit.name} disagrees with the registry"
    assert set(how) - {"header"} == {unit.name for unit in RULES}
    # a newcomer finds every place minimum rest is encoded
    rest = tables[0]["min_rest"]
    assert "`wfm.roster.model.add_rest`" in rest
    assert "`wfm.roster.checker.check_min_rest`" in rest
