"""Schema stability: `schema.graphql` against the last released SDL (`python -m schema.stability`).

Partners build against a release. graphql-core's `find_breaking_changes` and
`find_dangerous_changes` compare the printed schema with the SDL of the last release kept
in `schema/releases/<YYYY.MM>.graphql`; every change is printed. A breaking change fails
the check unless the "Unreleased" section of CHANGELOG.md lists it by its schema
coordinate in backticks (`Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `Type`) with the
release since which it was deprecated (`deprecated since 2026.12`), and, for a field, an
argument or an enum value, it carried `@deprecated(reason:)` in that release already.
The policy and how to cut a release: docs/limits-and-changes.md.

Exit status: 0 when nothing breaks unannounced, 1 otherwise, 2 when a file is missing.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    BreakingChange,
    DangerousChange,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

VERSION = re.compile(r"^\d{4}\.\d{2}(?:\.\d+)?$")
# Coordinates as graphql-core writes them in its descriptions: Type.field, Type.field(arg:),
# Enum.VALUE, @directive, @directive(arg:).
_DOTTED = re.compile(
    r"@?[_A-Za-z]\w*(?:\.[_A-Za-z]\w*)?\([_A-Za-z]\w*:\)|[_A-Za-z]\w*\.[_A-Za-z]\w*"
)
_NAME = re.compile(r"@?[_A-Za-z]\w*")
# The words of graphql-core's descriptions that name no type (e.g. "X was removed.").
_PROSE = (
    "Field Argument Enum Directive A An Standard Description Repeatable Type value was "
    "were removed added changed from to type union interface interfaces implemented by "
    "no longer implements required optional has of an a the"
)
_WORDS = frozenset(_PROSE.split())
_SINCE = re.compile(r"deprecated since (\d{4}\.\d{2}(?:\.\d+)?)", re.IGNORECASE)


def coordinate(description: str) -> str:
    """The schema coordinate a change is about (`Type.field`, `Type.field(arg:)`, `Type`)."""
    dotted = _DOTTED.search(description)
    if dotted:
        return dotted.group()
    names = [n for n in _NAME.findall(description) if n not in _WORDS]
    return names[0] if names else description


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def releases(folder: Path) -> list[str]:
    """Released versions, oldest first."""
    found = [p.stem for p in folder.glob("*.graphql") if VERSION.match(p.stem)]
    return sorted(found, key=version_key)


def unreleased(changelog: str) -> list[str]:
    """The lines of the "Unreleased" section (up to the next `## ` heading)."""
    lines: list[str] = []
    inside = False
    for line in changelog.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip().lower().startswith("unreleased")
            continue
        if inside:
            lines.append(line)
    return lines


def _deprecated_in(schema: GraphQLSchema, where: str) -> bool | None:
    """Whether the field, argument or enum value at `where` was deprecated in `schema`;
    None for what cannot carry @deprecated (a type, a union member, a directive)."""
    match = re.fullmatch(r"([_A-Za-z]\w*)\.([_A-Za-z]\w*)(?:\(([_A-Za-z]\w*):\))?", where)
    if match is None:
        return None
    type_name, member, argument = match.groups()
    named = schema.get_type(type_name)
    if isinstance(named, GraphQLEnumType):
        value = named.values.get(member)
        return None if value is None else value.deprecation_reason is not None
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        field = named.fields.get(member)
        if field is None:
            return None
        if argument is None:
            return field.deprecation_reason is not None
        arg = getattr(field, "args", {}).get(argument)
        return None if arg is None else arg.deprecation_reason is not None
    return None


@dataclass(frozen=True)
class Verdict:
    change: BreakingChange | DangerousChange
    where: str
    problem: str | None  # why a breaking change is refused; None: allowed or only dangerous


def judge(
    released: GraphQLSchema,
    current: GraphQLSchema,
    notes: list[str],
    known_releases: list[str],
) -> list[Verdict]:
    verdicts = []
    for change in find_breaking_changes(released, current):
        where = coordinate(change.description)
        verdicts.append(Verdict(change, where, _refusal(released, where, notes, known_releases)))
    for dangerous in find_dangerous_changes(released, current):
        verdicts.append(Verdict(dangerous, coordinate(dangerous.description), None))
    return verdicts


def _refusal(
    released: GraphQLSchema, where: str, notes: list[str], known_releases: list[str]
) -> str | None:
    listed = [line for line in notes if f"`{where}`" in line]
    if not listed:
        return f"not listed in CHANGELOG.md's Unreleased section as `{where}`"
    since = [m.group(1) for line in listed if (m := _SINCE.search(line))]
    if not since:
        return f"`{where}` is listed without `deprecated since <release>`"
    if not any(version in known_releases for version in since):
        return f"`{where}`: deprecated since {since[0]}, which is not a release"
    if _deprecated_in(released, where) is False:
        return f"`{where}` was not @deprecated in the last release: deprecate it first"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schema.stability", description=__doc__)
    parser.add_argument("--schema", type=Path, default=Path("schema.graphql"))
    parser.add_argument("--releases", type=Path, default=Path("schema/releases"))
    parser.add_argument("--changelog", type=Path, default=Path("CHANGELOG.md"))
    args = parser.parse_args(argv)
    known = releases(args.releases)
    if not known or not args.schema.is_file() or not args.changelog.is_file():
        print("schema stability: schema, release SDL or CHANGELOG.md missing", file=sys.stderr)
        return 2
    last = known[-1]
    released = build_schema((args.releases / f"{last}.graphql").read_text(encoding="utf-8"))
    current = build_schema(args.schema.read_text(encoding="utf-8"))
    notes = unreleased(args.changelog.read_text(encoding="utf-8"))
    verdicts = judge(released, current, notes, known)
    refused = 0
    for verdict in verdicts:
        if isinstance(verdict.change, DangerousChange):
            label = "dangerous"
        elif verdict.problem is None:
            label = "breaking, announced"
        else:
            label = "BREAKING"
            refused += 1
        reason = f" ({verdict.problem})" if verdict.problem else ""
        print(f"{label}: {verdict.change.description}{reason}")
    print(
        f"schema stability against {last}: {len(verdicts)} change(s), "
        f"{refused} breaking change(s) not announced"
    )
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
