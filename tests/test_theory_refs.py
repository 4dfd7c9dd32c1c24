"""Every "§n" cited in the package and the documentation is a numbered section of the
theory page (docs/theory.rst), and every "§n item m" an entry of that section's list."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THEORY = ROOT / "docs" / "theory.rst"
REF = re.compile(r"§\s?(\d+)(?:\s+items?\s+(\d+))?")
TITLE = re.compile(r"^§(\d+) (\S.*)\n([-=~^\"'`]+)$", re.MULTILINE)
ITEM = re.compile(r"^(?:   \* - (\d+)|(\d+)\. )", re.MULTILINE)
GENERATED = ("_build", "auto_examples", "cli_help")


def sections() -> dict[int, str]:
    """Section number -> its text (up to the next numbered section)."""
    text = THEORY.read_text(encoding="utf-8")
    found = list(TITLE.finditer(text))
    out = {}
    for i, m in enumerate(found):
        assert len(m.group(3)) >= len(f"§{m.group(1)} {m.group(2)}"), m.group(0)
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out[int(m.group(1))] = text[m.end() : end]
    return out


def items(text: str) -> set[int]:
    return {int(a or b) for a, b in ITEM.findall(text)}


def citing_files() -> list[Path]:
    files = [*(ROOT / "python").rglob("*.py"), *(ROOT / "python").rglob("*.pyi")]
    files += [p for p in (ROOT / "docs").rglob("*") if p.suffix in (".rst", ".py")]
    files.append(ROOT / "README.md")
    return [p for p in files if not any(part in GENERATED for part in p.parts)]


def test_sections_are_numbered_in_order_and_cover_the_contract():
    numbers = list(sections())
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 10
    assert items(sections()[6]) == set(range(1, 8))


def test_every_section_reference_resolves():
    secs = sections()
    bad, seen = [], 0
    for path in citing_files():
        text = path.read_text(encoding="utf-8")
        for m in REF.finditer(text):
            seen += 1
            n, item = int(m.group(1)), m.group(2)
            line = text.count("\n", 0, m.start()) + 1
            where = f"{path.relative_to(ROOT)}:{line}: {m.group(0)!r}"
            if n not in secs:
                bad.append(f"{where}: docs/theory.rst has no §{n}")
            elif item is not None and int(item) not in items(secs[n]):
                bad.append(f"{where}: §{n} has no item {item}")
    assert seen > 20  # the package cites the theory page throughout
    assert not bad, "\n".join(bad)


def test_the_checker_would_catch_a_wrong_reference():
    secs = sections()
    assert 99 not in secs
    assert 9 not in items(secs[6])
    assert [m.group(1, 2) for m in REF.finditer("THEORY §6 item 2 and §4")] == [
        ("6", "2"),
        ("4", None),
    ]
