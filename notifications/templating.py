"""French e-mail templates (plain text and HTML) rendered with Jinja2.

HTML templates are autoescaped: a reason typed by staff or a note typed by a
client can never inject markup into an e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifications.texts.notice import SIGNATURE

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    # The templates ship with the code: no look at their files' times on every e-mail (an
    # arrival's e-mail is rendered inside the check-in).
    auto_reload=False,
)


@dataclass(frozen=True)
class Rendered:
    text: str
    html: str


def render(name: str, **context: Any) -> Rendered:
    """`name.txt` and `name.html` with the same context."""
    return Rendered(
        _env.get_template(f"{name}.txt").render(**context),
        _env.get_template(f"{name}.html").render(**context),
    )


def paragraphs(body: str) -> list[list[str]]:
    """A plain-text body as paragraphs of lines, without the signature (the layout has one)."""
    text = body.replace(SIGNATURE, "").strip()
    return [block.split("\n") for block in text.split("\n\n") if block.strip()]


def notification(subject: str, body: str) -> Rendered:
    return render("notification", subject=subject, paragraphs=paragraphs(body))


def digest(first_name: str, period: str, items: list[dict[str, Any]]) -> Rendered:
    for item in items:
        item["paragraphs"] = paragraphs(item["body"])[1:] or paragraphs(item["body"])
    return render("digest", first_name=first_name, period=period, items=items)
