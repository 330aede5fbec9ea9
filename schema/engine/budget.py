"""The work a document may cost graphql-core's validation, counted before it runs.

Tokens, depth and aliases bound a document's size, not its validation: a field asked
again under the same response name is free for all three, yet graphql-core's
OverlappingFieldsCanBeMerged compares every pair of fields sharing a response name.
`me{id} me{email}` 245 times (4.2 KB, 2,000 tokens) made 120,000 comparisons, 1.2 s of
server time per anonymous request. Directives are the same: 650 unknown ones were each
reported, 101 errors in one answer.

So, on the syntax tree alone and in one pass (each fragment once, memoised):

- `pairs`: for every selection set, fragments and inline fragments flattened into it,
  the pairs of fields sharing a response name, i.e. the comparisons validation will make;
- `directives`: directive usages written in the document;
- the first directive that is unknown or written twice at one location, refused with one
  error instead of one error each.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    SelectionSetNode,
    Visitor,
    visit,
)


@dataclass
class _Level:
    """A selection set flattened: response names at this level, pairs found below it."""

    names: Counter[str] = field(default_factory=Counter)
    pairs_below: int = 0


class _Pairs:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self._memo: dict[str, _Level] = {}
        self._active: set[str] = set()

    def total(self, selection_set: SelectionSetNode | None) -> int:
        level = self.level(selection_set)
        return level.pairs_below + sum(n * (n - 1) // 2 for n in level.names.values())

    def level(self, selection_set: SelectionSetNode | None) -> _Level:
        found = _Level()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                found.names[name] += 1
                if selection.selection_set is not None:
                    found.pairs_below += self.total(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                _merge(found, self.level(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                _merge(found, self._fragment(selection.name.value))
        return found

    def _fragment(self, name: str) -> _Level:
        if name not in self._memo:
            fragment = self.fragments.get(name)
            if fragment is None or name in self._active:
                return _Level()  # unknown or cyclic: validation reports it
            self._active.add(name)
            try:
                self._memo[name] = self.level(fragment.selection_set)
            finally:
                self._active.discard(name)
        return self._memo[name]


def _merge(into: _Level, other: _Level) -> None:
    into.names.update(other.names)
    into.pairs_below += other.pairs_below


class _Directives(Visitor):
    def __init__(self, known: set[str]) -> None:
        super().__init__()
        self.known = known
        self.count = 0
        self.problem: str | None = None

    def enter(self, node: Node, *_: object) -> None:
        directives: tuple[DirectiveNode, ...] = getattr(node, "directives", None) or ()
        if not directives:
            return
        self.count += len(directives)
        seen: set[str] = set()
        for directive in directives:
            name = directive.name.value
            if self.problem is None:
                if name not in self.known:
                    self.problem = f"Unknown directive '@{name}'."
                elif name in seen:
                    self.problem = (
                        f"The directive '@{name}' can only be used once at this location."
                    )
            seen.add(name)


@dataclass(frozen=True)
class Budget:
    """What validating a document will cost, measured on its syntax tree."""

    pairs: int
    directives: int
    directive_problem: str | None


def measure(schema: GraphQLSchema, document: DocumentNode) -> Budget:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    counter = _Pairs(fragments)
    # Fragment definitions too: validation compares inside each, spread or not.
    pairs = sum(
        counter.total(d.selection_set) for d in document.definitions if hasattr(d, "selection_set")
    )
    directives = _Directives({d.name for d in schema.directives})
    visit(document, directives)
    return Budget(pairs, directives.count, directives.problem)


# The tokens that matter to the scan; strings and comments are matched to be skipped.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n\r]*'
    r"|\.\.\.|[_A-Za-z][_0-9A-Za-z]*|[{}()@:]|[^\s,{}()@:\"#._A-Za-z]+"
)


@dataclass(frozen=True)
class Scan:
    """A lower bound of a document's tokens, pairs and directives, read from its text."""

    tokens: int
    pairs: int
    directives: int


def prescan(query: str, max_tokens: int, max_pairs: int, max_directives: int) -> Scan:
    """Counts before parsing, stopping as soon as a limit is passed.

    graphql-core's parser takes about 5 µs a token: the 2,000 tokens of a document made
    of one field repeated cost 10 ms before any limit could see it. This scan reads the
    text with one regular expression, fields written directly in a selection set only
    (fragments are counted by `measure` once the document is parsed), so it can only
    under-count: what it refuses, the parsed measure would refuse too.
    """
    tokens = pairs = directives = 0
    levels: list[Counter[str]] = []
    parens = 0
    previous = ""
    alias_pending = False
    for match in _TOKENS.finditer(query):
        token = match.group()
        if token[0] in '"#':
            if token[0] == '"':
                tokens += 1
            continue
        tokens += 1
        if tokens > max_tokens or pairs > max_pairs or directives > max_directives:
            break
        if token == "(":
            parens += 1
        elif token == ")":
            parens = max(0, parens - 1)
        elif parens:
            pass  # arguments, variables and input objects
        elif token == "{":
            levels.append(Counter())
        elif token == "}":
            if levels:
                levels.pop()
        elif token == "@":
            directives += 1
        elif levels and (token[0] == "_" or token[0].isalpha()):
            if previous in {"@", "...", "on", ":"} or alias_pending:
                alias_pending = False
            else:
                pairs += levels[-1][token]
                levels[-1][token] += 1
        elif token == ":" and levels:
            alias_pending = True  # the next name is the field behind the alias just counted
        previous = token
    return Scan(tokens, pairs, directives)
