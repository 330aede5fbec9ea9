"""Every relative link of the README and docs/ leads somewhere.

A link to a file must name a file of the repository; a link with a `#fragment` must name a
heading of its target, by GitHub's anchor rules: the heading's text as rendered, lower
case, punctuation dropped (letters, digits, `_`, `-` and spaces kept, accents too), spaces
turned into hyphens, and `-1`, `-2`… added to repeated headings. Links inside code are
text, not links. External links (`https:`, `mailto:`…) are not followed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    lines, fence = [], ""
    for line in text.splitlines():
        opened = FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        lines.append(line)
    return lines


def rendered(heading: str) -> str:
    """A heading's text as GitHub shows it: code without backticks, links as their text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text)
    return text.replace("`", "").replace("*", "")


def slug(heading: str) -> str:
    kept = "".join(
        char
        for char in rendered(heading).lower()
        if char in "_- " or unicodedata.category(char)[0] in "LNM"
    )
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: Counter[str] = Counter()
    found = set()
    for line in prose_lines(page.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        found.add(f"{base}-{seen[base]}" if seen[base] else base)
        seen[base] += 1
    return found


def links(page: Path) -> list[str]:
    """Link targets, paragraph by paragraph (a link's text or a code span may wrap)."""
    targets = []
    for paragraph in "\n".join(prose_lines(page.read_text(encoding="utf-8"))).split("\n\n"):
        prose = INLINE_CODE.sub("", paragraph)
        targets += LINK.findall(prose)
        for line in prose.splitlines():
            reference = REFERENCE.match(line)
            if reference:
                targets.append(reference.group(1))
    return targets


def broken(page: Path) -> list[str]:
    problems = []
    for target in links(page):
        if not target or SCHEME.match(target):
            continue
        path, _, fragment = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            problems.append(f"{target}: no such file")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
            problems.append(f"{target}: no heading #{fragment} in {destination.name}")
    return problems


def test_the_readme_and_docs_are_checked() -> None:
    names = {page.relative_to(ROOT).as_posix() for page in PAGES}
    assert {"README.md", "docs/settings.md", "docs/api.md", "docs/CONTRACT.md"} <= names
    assert sum(len(links(page)) for page in PAGES) > 50


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken(page) == []


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Live dashboard (`/dashboard`)", "live-dashboard-dashboard"),
        ("The suite's clock", "the-suites-clock"),
        (
            "Planned queries: a list answered from one statement",
            "planned-queries-a-list-answered-from-one-statement",
        ),
        ("L'avance immédiate suit son statut", "lavance-immédiate-suit-son-statut"),
        ("Date-sensitive tests and `make test-clock`", "date-sensitive-tests-and-make-test-clock"),
        ("E-mail, SMS and digests", "e-mail-sms-and-digests"),
        ("`passage simulate`", "passage-simulate"),
    ],
)
def test_anchors_follow_githubs_rules(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_missing_file_or_heading_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Title\n\n## Same\n\n## Same\n", encoding="utf-8")
    page.write_text(
        "[ok](other.md#same-1) [gone](missing.md) [bad](other.md#nowhere)\n"
        "`[code](missing.md)` `wrapped\n[code](missing.md)`\n```\n[fenced](missing.md)\n```\n"
        "[web](https://example.org) [a wrapped\nlink](missing.md#wrapped)\n",
        encoding="utf-8",
    )
    assert broken(page) == [
        "missing.md: no such file",
        "other.md#nowhere: no heading #nowhere in other.md",
        "missing.md#wrapped: no such file",
    ]
