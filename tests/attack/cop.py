"""graphql-cop's checks, written as functions over our HTTP client.

graphql-cop (a GraphQL security auditor) is not published on PyPI; each of its checks is
restated here from what it sends and what it counts as a finding. A check returns True
when it finds something. Production settings must give no finding
(tests/attack/test_graphql_cop.py, and `make attack`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import get_introspection_query

from tests.client import Api

Check = Callable[[Api], Awaitable[bool]]


async def _post(api: Api, query: str) -> Any:
    response = await api.http.post("/graphql", json={"query": query})
    try:
        return response.json()
    except ValueError:
        return {}


def _data(body: Any) -> dict[str, Any]:
    return (body.get("data") or {}) if isinstance(body, dict) else {}


async def introspection(api: Api) -> bool:
    body = await _post(api, get_introspection_query())
    return bool(_data(body).get("__schema"))


async def graphiql(api: Api) -> bool:
    response = await api.http.get("/graphql", headers={"accept": "text/html"})
    return response.status_code == 200 and "graphiql" in response.text.lower()


async def field_suggestions(api: Api) -> bool:
    body = await _post(api, "query cop { __schema { directive } }")
    return "Did you mean" in str(body)


async def alias_overloading(api: Api) -> bool:
    aliases = " ".join(f"alias{i}:__typename" for i in range(101))
    return "alias100" in _data(await _post(api, f"query cop {{ {aliases} }}"))


async def batch_queries(api: Api) -> bool:
    response = await api.http.post("/graphql", json=[{"query": "query cop { __typename }"}] * 10)
    try:
        return isinstance(response.json(), list) and len(response.json()) >= 10
    except ValueError:
        return False


async def directive_overloading(api: Api) -> bool:
    body = await _post(api, "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")
    return len(body.get("errors") or []) == 10


async def field_duplication(api: Api) -> bool:
    body = await _post(api, "query cop { " + "__typename \n" * 500 + "}")
    return bool(_data(body).get("__typename"))


async def circular_introspection(api: Api) -> bool:
    query = (
        "query cop { __schema { types { fields { type { fields { type { fields { type { "
        "fields { type { name } } } } } } } } } } }"
    )
    schema = _data(await _post(api, query)).get("__schema") or {}
    return len(schema.get("types") or []) > 25


async def circular_fragments(api: Api) -> bool:
    query = "query cop { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    response = await api.http.post("/graphql", json={"query": query})
    return response.status_code >= 500


async def get_method_query(api: Api) -> bool:
    response = await api.http.get("/graphql", params={"query": "query cop { __typename }"})
    return response.status_code == 200 and bool(_data(_json(response)).get("__typename"))


async def get_method_mutation(api: Api) -> bool:
    response = await api.http.get("/graphql", params={"query": "mutation cop { __typename }"})
    return response.status_code == 200 and bool(_data(_json(response)).get("__typename"))


async def post_url_encoded(api: Api) -> bool:
    # A form post is a "simple" request a foreign page can send: possible CSRF.
    response = await api.http.post("/graphql", data={"query": "query cop { __typename }"})
    return response.status_code == 200 and bool(_data(_json(response)).get("__typename"))


async def trace_mode(api: Api) -> bool:
    body = await _post(api, "query cop { __typename }")
    extensions = body.get("extensions") or {} if isinstance(body, dict) else {}
    errors = body.get("errors") or [{}] if isinstance(body, dict) else [{}]
    return "tracing" in extensions or "tracing" in (errors[0].get("extensions") or {})


async def unhandled_error(api: Api) -> bool:
    body = await _post(api, "qwerty cop { abc }")
    errors = body.get("errors") or [{}] if isinstance(body, dict) else [{}]
    return "exception" in (errors[0].get("extensions") or {})


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


CHECKS: dict[str, Check] = {
    "introspection": introspection,
    "graphiql": graphiql,
    "field_suggestions": field_suggestions,
    "alias_overloading": alias_overloading,
    "batch_queries": batch_queries,
    "directive_overloading": directive_overloading,
    "field_duplication": field_duplication,
    "circular_introspection": circular_introspection,
    "circular_fragments": circular_fragments,
    "get_method_query": get_method_query,
    "get_method_mutation": get_method_mutation,
    "post_url_encoded": post_url_encoded,
    "trace_mode": trace_mode,
    "unhandled_error": unhandled_error,
}
