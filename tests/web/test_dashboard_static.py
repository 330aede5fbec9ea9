"""The /dashboard route: static files with the right types and a strict CSP, no data inside."""

from __future__ import annotations

import pytest

from tests.web.factories import production

ASSETS = [
    ("/dashboard/", "text/html"),
    ("/dashboard/dashboard.css", "text/css"),
    ("/dashboard/js/main.js", "javascript"),
    ("/dashboard/js/live.js", "javascript"),
    ("/dashboard/js/panels/ratings.js", "javascript"),
    ("/dashboard/icon.svg", "image/svg+xml"),
]


@pytest.mark.parametrize(("path", "content_type"), ASSETS)
async def test_assets_are_served_with_their_type_and_policy(api, path, content_type):
    response = await api.http.get(path)
    assert response.status_code == 200
    assert content_type in response.headers["content-type"]
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe" not in csp  # no inline code, no eval
    assert response.headers["cache-control"] == "no-cache"


async def test_the_bare_address_redirects_relatively(api):
    response = await api.http.get("/dashboard")
    assert response.status_code == 308
    assert response.headers["location"] == "/dashboard/"


async def test_the_page_has_no_inline_code_and_no_data(api, home_agency):
    page = (await api.http.get("/dashboard/")).text
    assert "<script" in page and 'type="module" src="/dashboard/js/main.js"' in page
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    assert " on" + "click=" not in page
    # Nothing of any agency, client or account is in the static page: it reads /graphql.
    assert "@" not in page
    assert "Agence Paris Test" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/../app.py",
        "/dashboard/%2e%2e/app.py",
        "/dashboard/..%2fapp.py",
        "/dashboard/js/",
        "/dashboard/missing.js",
        "/dashboard/.git",
        "/dashboard/__init__.py",
        "/dashboard/js/__pycache__/",
    ],
)
async def test_nothing_else_is_reachable(api, path):
    response = await api.http.get(path)
    assert response.status_code == 404
    assert "import" not in response.text


async def test_only_get_and_head(api):
    assert (await api.http.post("/dashboard/", content=b"x")).status_code == 405
    assert (await api.http.head("/dashboard/")).status_code == 200


async def test_production_sends_the_dashboard_policy_alone(start, settings):
    running = await start(production(settings))
    try:
        response = await running.api.http.get(
            "/dashboard/js/main.js", headers={"host": "passage.example"}
        )
        assert response.headers.get_list("content-security-policy") == [
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "connect-src 'self' wss://passage.example; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        ]
        assert "max-age" in response.headers["strict-transport-security"]
        # Everything else keeps the API's policy.
        other = await running.api.http.get("/healthz")
        assert (
            other.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        )
        # A forged Host cannot widen the policy.
        forged = await running.api.http.get(
            "/dashboard/", headers={"host": "evil.example; script-src *"}
        )
        assert "evil" not in forged.headers["content-security-policy"]
    finally:
        await running.stop()
