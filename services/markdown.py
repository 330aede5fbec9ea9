"""Markdown to safe HTML for the help centre: CommonMark, then an allow-list sanitizer.

Raw HTML written in the Markdown is dropped, not escaped (its text content stays),
links keep only http(s), mailto and tel (or relative) targets, and nh3 (ammonia)
cleans the result again with a tag allow-list, so neither scripts, event-handler
attributes nor `javascript:` links can reach a browser. Links get
rel="nofollow noopener". Images are not rendered: there is no upload of our own.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del",
        "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody",
        "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
LINK_REL = "nofollow noopener"


def safe_link(href: str) -> bool:
    """A target with an allowed scheme, or a relative one."""
    cleaned = "".join(c for c in href if c.isprintable() and not c.isspace())
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES or (scheme == "" and ":" not in cleaned.split("/")[0])


def _unlink_unsafe(state: StateCore) -> None:
    """Keeps the text of a link whose target is not safe, without the link."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept: list[Token] = []
        dropped_depth: list[bool] = []
        for token in block.children:
            if token.type == "link_open":
                unsafe = not safe_link(str(token.attrGet("href") or ""))
                dropped_depth.append(unsafe)
                if unsafe:
                    continue
            elif token.type == "image" or (
                token.type == "link_close" and dropped_depth and dropped_depth.pop()
            ):
                continue
            kept.append(token)
        block.children = kept


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # Let every target through the parser: _unlink_unsafe decides, keeping the text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.core.ruler.push("unlink_unsafe", _unlink_unsafe)
    md.add_render_rule("html_block", lambda *args, **kwargs: "")
    md.add_render_rule("html_inline", lambda *args, **kwargs: "")
    return md


_MD = _parser()


@lru_cache(maxsize=512)
def to_html(markdown: str) -> str:
    """Sanitized HTML of a Markdown text; cached since help texts are read far more than written."""
    return nh3.clean(
        _MD.render(markdown),
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        link_rel=LINK_REL,
        url_schemes=set(SAFE_SCHEMES),
        strip_comments=True,
    )
