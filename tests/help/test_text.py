"""Pure rules under the help centre: search words and safe link targets."""

from __future__ import annotations

import pytest

from services import search_text
from services.markdown import safe_link, to_html


def test_words_are_folded_the_same_way_for_documents_and_queries():
    assert search_text.stored("Œufs, Tâches & CAFÉ") == " oeuf tache cafe "
    assert search_text.query_words("Comment ôter les tâches de café ? café") == [
        "oter",
        "tache",
        "cafe",
    ]
    assert search_text.query_words("é à l' de") == []
    assert search_text.slugify("Qu'est-ce que l'avance immédiate ?") == (
        "qu-est-ce-que-l-avance-immediate"
    )


@pytest.mark.parametrize(
    ("href", "safe"),
    [
        ("https://www.service-public.fr", True),
        ("mailto:agence@example.com", True),
        ("tel:+33123456789", True),
        ("/aide/bien-demarrer", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("vbscript:msgbox(1)", False),
        ("data:text/html,<script>", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_safe_link_targets_are_kept(href, safe):
    assert safe_link(href) is safe


def test_html_comments_and_nested_tricks_do_not_survive():
    html = to_html(
        "a <!-- x --> b\n\n<div><script>x()</script></div>\n\n[[x](javascript:y)](https://ok.fr)"
    )
    assert "<!--" not in html and "<script" not in html and "<div" not in html
    assert "javascript" not in html
