"""graphql-cop's checks against production settings: no finding (tests/attack/cop.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.attack.cop import CHECKS
from tests.client import Api
from tests.conftest import RunningServer
from tests.web.factories import production


@pytest.fixture(scope="module")
async def prod(start, settings) -> AsyncIterator[Api]:
    running: RunningServer = await start(production(settings))
    yield running.api
    await running.stop()


@pytest.mark.parametrize("name", sorted(CHECKS))
async def test_graphql_cop_finds_nothing_in_production(prod, name):
    assert not await CHECKS[name](prod), f"graphql-cop would report {name}"


async def test_the_checks_do_find_what_development_allows(api):
    # The same checks are not blind: development keeps introspection, GraphiQL and GET.
    for name in ("introspection", "graphiql", "get_method_query"):
        assert await CHECKS[name](api), name
