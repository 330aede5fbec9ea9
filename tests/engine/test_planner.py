"""Planned queries answer exactly what graphql-core answers, read only what they select,
and leave every error to graphql-core.

Each document is sent twice: once to the planner, once with the planner switched off, to
graphql-core's own execution.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import logging
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from graphql import parse
from tortoise import connections

from models.accounts.people import Account, Client
from models.enums import ChangeRequestKind, Role
from models.messaging import Conversation, Message
from models.ratings import Rating
from models.requests import ChangeRequest
from models.visits.visits import Intervention
from resolvers.messaging import conversations
from schema import build_schema
from schema.core.ids import to_global_id
from schema.engine.planner import (
    COERCED_CACHE_SIZE,
    COERCED_KEY_MAX_CHARS,
    PLAN_CACHE_SIZE,
    values_key,
)
from schema.engine.throttle import actual_cost
from services import clock
from services.clock import utcnow
from services.config import Settings
from services.logs import request_id_var
from tests import factories
from tests.clock import PARIS
from tests.factories import pk, setup_agency
from tests.messaging import factories as messaging
from tests.visits.factories import CALENDAR, visits_in_every_state

DAY = datetime(2034, 6, 12, 6, tzinfo=UTC)
WINDOW = {"from": DAY.isoformat(), "to": (DAY + timedelta(days=1)).isoformat()}

EVERY_FIELD = """
fragment Visit on Intervention {
  __typename id status scheduledStart scheduledEnd checkedInAt checkedOutAt late
  positionFlagged instructions cancellationReason actualMinutes
  serviceType { __typename code label }
  worker { __typename id displayName }
  client { id displayName }
  address { line1 line2 postalCode city }
  rating {
    __typename id score comment createdAt updatedAt editableUntil intervention { id } workerId
  }
}
query Every($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  page: interventions(filter: { from: $from, to: $to }, first: $first, after: $after) {
    __typename
    edges { __typename cursor node { ...Visit again: id } }
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

FILTERED = """
query Filtered($from: DateTime!, $to: DateTime!, $status: [InterventionStatus!],
               $clientId: ID, $workerId: ID) {
  interventions(filter: { from: $from, to: $to, status: $status, clientId: $clientId,
                          workerId: $workerId }, first: 100) {
    edges { node { id status ... on Intervention { worker { id } } } }
  }
}
"""

LITERAL_LIST = """
query Literal($from: DateTime!, $to: DateTime!) {
  interventions(filter: { from: $from, to: $to, status: [COMPLETED, MISSED] }, first: 100) {
    edges { node { id status } }
  }
}
"""

HISTORY = """
query History($after: String) {
  interventionHistory(first: 3, after: $after) {
    edges { cursor node { id status checkedOutAt client { displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ONE = """
query One($id: ID!) {
  intervention(id: $id) { id status late worker { displayName } address { city } }
}
"""


async def unplanned(api, planner, document, variables, token) -> Any:
    """The answer graphql-core gives, the planner switched off for one request."""
    planner.enabled = False
    try:
        return await api.gql(document, variables, token)
    finally:
        planner.enabled = True


def planner_dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


@pytest.fixture
def planner(server):
    return server.app.state.planner


async def both(api, planner, document, root, variables, token) -> tuple[Any, Any]:
    before = planner.answered
    planned = await api.gql(document, variables, token)
    assert planner.answered == before + 1, planned
    plain = await unplanned(api, planner, document, variables, token)
    assert planner.answered == before + 1
    # Counted as the answer was written, as the walk of any answer counts it.
    assert planned["extensions"]["cost"]["actualQueryCost"] == actual_cost(planned["data"])
    return planned, plain


async def _visits(team) -> list[Intervention]:
    """A day of visits in every state, one of them without a worker."""
    visits = await visits_in_every_state(team, [DAY + timedelta(hours=i) for i in range(12)])
    client = await Client.get(id=pk(team.client_id))
    for score, visit in zip((5, 2, 4), visits[:3], strict=True):  # the fourth is not rated
        await Rating.create(
            intervention=visit,
            client=client,
            worker_id=visit.worker_id,
            agency_id=client.agency_id,
            score=score,
            comment="Très bien « merci »" if score > 3 else "",
            created_at=visit.scheduled_end + timedelta(hours=score),
            updated_at=visit.scheduled_end + timedelta(hours=score, minutes=5),
        )
    return visits


@pytest.fixture
async def team(team):
    """The shared team, with visits of every kind to read."""
    team.visits = await _visits(team)  # type: ignore[attr-defined]
    return team


async def test_every_field_is_answered_as_graphql_core_answers_it(api, planner, team):
    for token in (team.client_token, team.worker_token, team.staff_token):
        after = None
        pages = 0
        while True:
            variables = {**WINDOW, "first": 5, "after": after}
            planned, plain = await both(
                api, planner, EVERY_FIELD, "interventions", variables, token
            )
            assert planned == plain
            assert (
                "errors" not in planned and planned["extensions"]["cost"]["requestedQueryCost"] > 0
            )
            page = planned["data"]["page"]
            pages += 1
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        if token != team.staff_token:  # staff also see the other visits of the home agency
            assert pages == 3  # 12 visits (the worker's 11 and the unassigned one for clients)


async def test_the_contract_calendar_and_filters_are_the_same_answers(api, planner, team):
    variables = {**WINDOW, "first": 100}
    planned, plain = await both(
        api, planner, CALENDAR, "interventions", variables, team.client_token
    )
    assert planned == plain
    nodes = [e["node"] for e in planned["data"]["interventions"]["edges"]]
    assert len(nodes) == 12
    assert {n["worker"] and n["worker"]["displayName"] for n in nodes} == {"Claire M.", None}
    for values in (
        {"status": ["COMPLETED", "MISSED"]},
        {"clientId": team.client_id},
        {"workerId": team.worker_id, "status": ["IN_PROGRESS"]},
    ):
        variables = {**WINDOW, **values}
        planned, plain = await both(
            api, planner, FILTERED, "interventions", variables, team.staff_token
        )
        assert planned == plain and planned["data"]["interventions"]["edges"]


async def test_history_and_one_visit_are_planned_too(api, planner, team):
    planned, plain = await both(
        api, planner, HISTORY, "interventionHistory", {"after": None}, team.client_token
    )
    assert planned == plain
    cursor = planned["data"]["interventionHistory"]["pageInfo"]["endCursor"]
    planned, plain = await both(
        api, planner, HISTORY, "interventionHistory", {"after": cursor}, team.client_token
    )
    assert planned == plain
    for visit in team.visits[3:6] + team.visits[-1:]:
        variables = {"id": to_global_id("Intervention", visit.id)}
        planned, plain = await both(api, planner, ONE, "intervention", variables, team.client_token)
        assert planned == plain and planned["data"]["intervention"]["id"] == variables["id"]


async def test_errors_are_graphql_cores_own(api, planner, settings, home_agency, team):
    stranger = await setup_agency(api, settings, home_agency)
    visit_id = to_global_id("Intervention", team.visits[0].id)
    cases: list[tuple[str, str, dict[str, Any], str | None, str]] = [
        (
            CALENDAR,
            "interventions",
            {**WINDOW, "after": "garbage"},
            team.client_token,
            "BAD_USER_INPUT",
        ),
        (CALENDAR, "interventions", {**WINDOW, "first": 101}, team.client_token, "BAD_USER_INPUT"),
        (
            CALENDAR,
            "interventions",
            {"from": "yesterday", "to": WINDOW["to"]},
            team.client_token,
            "BAD_USER_INPUT",
        ),
        (CALENDAR, "interventions", {"to": WINDOW["to"]}, team.client_token, "BAD_USER_INPUT"),
        (CALENDAR, "interventions", {**WINDOW, "first": 5}, None, "UNAUTHENTICATED"),
        (CALENDAR, "interventions", {**WINDOW, "first": 5}, "pas_not-a-token", "UNAUTHENTICATED"),
        (ONE, "intervention", {"id": visit_id}, stranger.client_token, "NOT_FOUND"),
        (ONE, "intervention", {"id": team.client_id}, team.client_token, "BAD_USER_INPUT"),
        (HISTORY, "interventionHistory", {"after": "1.x"}, team.client_token, "BAD_USER_INPUT"),
    ]
    before = planner.answered
    for document, _root, variables, token, code in cases:
        planned = await api.gql(document, variables, token)
        plain = await unplanned(api, planner, document, variables, token)
        assert planned == plain, (variables, planned, plain)
        assert planned["errors"][0]["extensions"]["code"] == code, planned
    assert planner.answered == before  # each was handed to graphql-core


async def test_a_document_over_the_cost_limit_is_refused_the_same(
    api, planner, start, settings, team
):
    cheap = Settings(**{**settings.__dict__, "max_query_cost": 200})
    other = await start(cheap)
    try:
        variables = {**WINDOW, "first": 100}
        planned = await other.api.gql(CALENDAR, variables, team.client_token)
        plain = await unplanned(
            other.api, other.app.state.planner, CALENDAR, variables, team.client_token
        )
        assert planned == plain
        assert planned["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
        small = await other.api.gql(CALENDAR, {**WINDOW, "first": 5}, team.client_token)
        assert len(small["data"]["interventions"]["edges"]) == 5
        assert other.app.state.planner.answered == 1
    finally:
        await other.stop()


async def test_a_visits_rating_is_read_with_its_visit_seen_by_whom_it_may_be(
    api, planner, settings, home_agency, team
):
    stranger = await setup_agency(api, settings, home_agency)
    document = (
        "query($from: DateTime!, $to: DateTime!) { interventions(filter: {from: $from, to: $to},"
        " first: 100) { edges { node { id rating { score comment } } } } }"
    )
    tokens = (team.client_token, team.worker_token, team.staff_token, stranger.client_token)

    async def scores_seen() -> list[list[int]]:
        scores = []
        for token in tokens:
            before = planner.answered
            with _statements() as statements:
                planned = await api.gql(document, WINDOW, token)
            assert planner.answered == before + 1
            assert planned == await unplanned(api, planner, document, WINDOW, token)
            # The planned answer reads the ratings with the page: no statement of their own.
            (page,) = [s for s in statements.sql if 'FROM "session"' not in s]
            assert 'FROM "intervention" LEFT OUTER JOIN "rating"' in page, page
            edges = planned["data"]["interventions"]["edges"]
            scores.append(
                sorted(e["node"]["rating"]["score"] for e in edges if e["node"]["rating"])
            )
        return scores

    scores = await scores_seen()
    # The client sees its three ratings, the agency's staff those and others of the agency,
    # the worker and another household none.
    assert scores[0] == [2, 4, 5] and scores[1] == scores[3] == []
    assert set(scores[2]) == {2, 4, 5} and len(scores[2]) >= 3
    # The rule is the rating's own, not its visit's: a rating of the household's visit
    # written for another client and another agency is seen by neither, both ways.
    elsewhere = await factories.agency(settings)
    moved = await Rating.get(score=2, client_id=pk(team.client_id))
    await Rating.filter(id=moved.id).update(client_id=pk(stranger.client_id), agency_id=elsewhere)
    again = await scores_seen()
    assert again[0] == [4, 5] and len(again[2]) == len(scores[2]) - 1 and again[3] == []


async def test_fields_not_read_from_rows_go_to_graphql_core(api, planner, team):
    before = planner.answered
    for document in (
        "query($from: DateTime!, $to: DateTime!) { me { id agency { openingHours { weekday } } } "
        "interventions("
        "filter: {from: $from, to: $to}) { edges { node { id } } } }",
        "query($from: DateTime!, $to: DateTime!) { interventions(filter: {from: $from, to: $to}) "
        "{ edges { node { id anomalies { id } } } } }",
    ):
        result = await api.gql(document, WINDOW, team.client_token)
        assert "errors" not in result and result["data"]["interventions"]["edges"], result
    assert planner.answered == before


ME = """
{ me { __typename id email role firstName lastName phone emailVerified passwordAgeDays
       passwordChangeRecommended displayName client { id } worker { id } } }
"""


async def test_me_is_planned_for_every_role_and_left_to_graphql_core_when_anonymous(
    api, planner, team
):
    for token in (team.client_token, team.worker_token, team.staff_token):
        with _statements() as statements:
            planned, plain = await both(api, planner, ME, "me", {}, token)
        assert planned == plain and planned["data"]["me"]["email"], planned
        # The planned answer's read (the first), then graphql-core's: only what it selects.
        (read, *_) = [s for s in statements.sql if 'FROM "account"' in s]
        assert "password_hash" not in read and '"first_name"' in read, read
    household = (await api.gql(ME, {}, team.client_token))["data"]["me"]
    assert household["client"] and household["worker"] is None
    before = planner.answered
    anonymous = await api.gql(ME, {}, None)
    assert anonymous["data"] == {"me": None} and "errors" not in anonymous, anonymous
    assert planner.answered == before


ME_AND_AGENCY = """
{ me { id role agency { __typename id name timeZone sapNumber legalName phone email siret
       sapDeclaredOn vatRegime address { line1 line2 postalCode city country } } }
  interventionEventsCursor }
"""


async def test_me_with_its_agency_and_the_events_cursor_are_planned(api, planner, team):
    """The dashboard's first load needs no graphql-core: the viewer's agency is read by one
    statement for the level below `me`, the cursor by the roots' (one on PostgreSQL)."""
    for token in (team.staff_token, team.worker_token, team.client_token):
        before = planner.answered
        with _statements() as statements:
            planned = await api.gql(ME_AND_AGENCY, {}, token)
        assert planner.answered == before + 1, planned
        assert planned == await unplanned(api, planner, ME_AND_AGENCY, {}, token)
        assert "errors" not in planned, planned
        assert planned["extensions"]["cost"]["actualQueryCost"] == actual_cost(planned["data"])
        agency = planned["data"]["me"]["agency"]
        assert agency["name"] and agency["address"]["country"] == "FR", agency
        assert planned["data"]["interventionEventsCursor"], planned
        read = [s for s in statements.sql if 'FROM "session"' not in s]
        assert len(read) == (2 if planner_dialect() == "postgres" else 3), read
    # A field the rows do not hold (opening hours): graphql-core answers, the same.
    hours = "{ me { agency { name openingHours { weekday opensAt closesAt } } } }"
    before = planner.answered
    assert await api.gql(hours, {}, team.staff_token) == await unplanned(
        api, planner, hours, {}, team.staff_token
    )
    assert planner.answered == before
    # Nobody signed in: the cursor is refused by graphql-core, with its error.
    cursor = "{ interventionEventsCursor }"
    anonymous = await api.gql(cursor, {}, None)
    assert anonymous == await unplanned(api, planner, cursor, {}, None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert planner.answered == before


PENDING = """
query($first: Int, $after: String) { pendingChangeRequests(first: $first, after: $after) {
  edges { node { id kind checks { rule passed message } } } } }
"""
FOLLOW_UPS = "{ ratingFollowUps { id createdAt rating { id score } } }"
BRIEFING = """
query($id: ID!) { visitBriefing(interventionId: $id) { interventionId note
  household { clientId hasAccessCodes accessCodes pets } } }
"""


async def test_the_roots_planned_last_refuse_the_same_way(api, planner, team):
    """The pending requests, the follow-ups and a briefing: who asks and what they send are
    checked by the plans' fetches as by the resolvers, and graphql-core says no."""
    visit = to_global_id("Intervention", team.visits[0].id)
    cases: list[tuple[str, dict[str, Any], str | None, str]] = [
        (PENDING, {}, team.client_token, "FORBIDDEN"),
        (PENDING, {}, team.worker_token, "FORBIDDEN"),
        (PENDING, {}, None, "UNAUTHENTICATED"),
        (PENDING, {"first": 101}, team.staff_token, "BAD_USER_INPUT"),
        (PENDING, {"first": -1}, team.staff_token, "BAD_USER_INPUT"),
        (PENDING, {"after": "garbage"}, team.staff_token, "BAD_USER_INPUT"),
        (FOLLOW_UPS, {}, team.client_token, "FORBIDDEN"),
        (FOLLOW_UPS, {}, None, "UNAUTHENTICATED"),
        (BRIEFING, {"id": visit}, None, "UNAUTHENTICATED"),
        (BRIEFING, {"id": "garbage"}, team.client_token, "BAD_USER_INPUT"),
        (BRIEFING, {"id": team.client_id}, team.client_token, "BAD_USER_INPUT"),
    ]
    before = planner.answered
    for document, variables, token, code in cases:
        planned = await api.gql(document, variables, token)
        plain = await unplanned(api, planner, document, variables, token)
        assert planned == plain, (variables, planned, plain)
        assert planned["errors"][0]["extensions"]["code"] == code, (variables, planned)
    assert planner.answered == before  # each was handed to graphql-core
    # And what they answer when allowed, both ways.
    for document, variables, token in (
        (PENDING, {"first": 0}, team.staff_token),
        (FOLLOW_UPS, {}, team.staff_token),
        (BRIEFING, {"id": visit}, team.client_token),
        (BRIEFING, {"id": visit}, team.staff_token),
    ):
        planned, plain = await both(api, planner, document, "", variables, token)
        assert planned == plain and "errors" not in planned, planned


STATEMENT = """
query($year: Int!, $client: ID) {
  paymentStatement(year: $year, clientId: $client) { __typename year pdfUrl csvUrl }
}
"""


@contextlib.contextmanager
def standing_clock() -> Iterator[datetime]:
    """The server's clock stands still (the test server runs in this process): a signed
    link's expiry is then the same both ways."""
    now = utcnow()
    clock.set_warp(clock.Warp(now, now, 0.0))
    try:
        yield now
    finally:
        clock.set_warp(None)


@pytest.mark.clock  # the household's year (Paris) against UTC's on New Year's night
async def test_the_payment_statement_is_planned_with_the_resolvers_links_and_rules(
    api, planner, settings, team
):
    """No statement for a household's own: its links are signed by the planner as by the
    resolver; who may not, or a year out of range, is refused by graphql-core."""
    with standing_clock() as now:
        # The household's year is its agency's (Paris): on 31 December after 23:00 UTC it
        # is already the next one, which then is no longer out of range.
        year = now.astimezone(PARIS).year
        for token, client in (
            (team.client_token, None),
            (team.client_token, team.client_id),
            (team.staff_token, team.client_id),
        ):
            with _statements() as statements:
                planned, plain = await both(
                    api, planner, STATEMENT, "", {"year": year, "client": client}, token
                )
            assert planned == plain and "errors" not in planned, planned
            links = planned["data"]["paymentStatement"]
            assert links["year"] == year and "/statements/" in links["pdfUrl"], links
            expires = int(links["csvUrl"].split("expires=")[1].split("&")[0])
            assert expires == int(now.timestamp()) + settings.document_link_seconds
            if token == team.client_token:  # the household's own: nothing read but the session
                assert all('FROM "session"' in s for s in statements.sql), statements.sql
        before = planner.answered
        other = await setup_agency(api, settings, await factories.agency(settings))
        for variables, token, code in (
            ({"year": year}, team.worker_token, "FORBIDDEN"),
            ({"year": year}, team.staff_token, "BAD_USER_INPUT"),  # staff name the household
            ({"year": year}, None, "UNAUTHENTICATED"),
            ({"year": year + 1}, team.client_token, "BAD_USER_INPUT"),
            ({"year": 1999}, team.client_token, "BAD_USER_INPUT"),
            ({"year": year, "client": "garbage"}, team.staff_token, "BAD_USER_INPUT"),
        ):
            planned = await api.gql(STATEMENT, variables, token)
            plain = await unplanned(api, planner, STATEMENT, variables, token)
            assert planned == plain, (variables, planned, plain)
            assert planned["errors"][0]["extensions"]["code"] == code, (variables, planned)
        # Another agency's household looks absent, both ways: null.
        for token, client in (
            (other.staff_token, team.client_id),
            (team.client_token, other.client_id),
        ):
            variables = {"year": year, "client": client}
            planned = await api.gql(STATEMENT, variables, token)
            assert planned == await unplanned(api, planner, STATEMENT, variables, token)
            assert planned["data"] == {"paymentStatement": None} and "errors" not in planned
        assert planner.answered == before  # each was handed to graphql-core


async def test_fragments_on_an_interface_the_type_implements_are_planned(api, planner, team):
    document = (
        "query($from: DateTime!, $to: DateTime!) { interventions(filter: {from: $from, to: $to}) "
        "{ edges { node { id ... on Node { id again: id } ... N } } } } fragment N on Node "
        "{ __typename }"
    )
    planned, plain = await both(api, planner, document, "interventions", WINDOW, team.staff_token)
    assert planned == plain and planned["data"]["interventions"]["edges"][0]["node"]["again"]


NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Intervention { status scheduledStart worker { displayName } rating { score } }
    ... on Client { clientNumber billingAddress { line1 postalCode city country } createdAt }
    ... Worker
  }
}
fragment Worker on Worker { employeeNumber }
"""


async def test_node_is_planned_for_the_types_read_from_rows(api, planner, team):
    ids = [
        to_global_id("Intervention", team.visits[0].id),  # rated
        to_global_id("Intervention", team.visits[-1].id),
        team.client_id,
        team.worker_id,
    ]
    for token in (team.staff_token, team.client_token):
        for id in ids if token == team.staff_token else ids[:3]:
            planned, plain = await both(api, planner, NODE, "node", {"id": id}, token)
            assert planned == plain and planned["data"]["node"]["id"] == id, planned
    # Five roots, each of its own type, in one document: each by the plan of its id's type.
    document = (
        "query($a: ID!, $b: ID!, $c: ID!) { a: node(id: $a) { ...T } b: node(id: $b) { ...T } "
        "c: node(id: $c) { ...T } } "
        + NODE[NODE.index("fragment") :]
        + " fragment T on Node { __typename ... on Client { clientNumber } ...Worker }"
    )
    variables = {"a": ids[0], "b": ids[2], "c": ids[3]}
    with _statements() as statements:
        planned = await api.gql(document, variables, team.staff_token)
    assert planned == await unplanned(api, planner, document, variables, team.staff_token)
    assert [v["__typename"] for v in planned["data"].values()] == [
        "Intervention",
        "Client",
        "Worker",
    ]
    # The three roots' statements, sent as one on PostgreSQL (models/backends/batch.py).
    read = [s for s in statements.sql if 'FROM "session"' not in s and "job_claim" not in s]
    if planner_dialect() == "postgres":
        assert len(read) == 1 and read[0].startswith("SELECT ARRAY(SELECT _t FROM ("), read
    else:
        assert len(read) == 3, read


PEOPLE_AND_THREADS = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Client { clientNumber billingAddress { city } createdAt }
    ... on Worker { employeeNumber }
    ... on Conversation { lastMessageAt waitingSince client { id } }
    ... on ChangeRequest { kind status note createdAt }
  }
}
"""


async def test_node_rows_of_people_threads_and_requests_keep_their_rules(
    api, planner, settings, home_agency, team
):
    """Clients, workers, conversations and change requests are read as rows by `node(id:)`:
    shown to whom graphql-core shows them, and to nobody else."""
    neighbour = await setup_agency(api, settings, home_agency)  # same agency, other people
    elsewhere = await factories.log_in(
        api, await factories.staff(settings, await factories.agency(settings), Role.ADVISOR)
    )
    await messaging.verify(team.client_id)  # a household writes once its e-mail is verified
    sent = await messaging.send(api, team.client_token, "Bonjour")
    assert not sent["userErrors"], sent
    client = await Client.get(id=pk(team.client_id))
    conversation = await Conversation.get(client_id=client.id)
    request = await ChangeRequest.create(
        agency_id=client.agency_id,
        client_id=client.id,
        kind=ChangeRequestKind.EXTRA_VISIT,
        requested_start=DAY,
        requested_end=DAY + timedelta(hours=2),
        note="Avant les fêtes",
        created_at=DAY - timedelta(days=3),
    )
    ids = {
        "client": team.client_id,
        "worker": team.worker_id,
        "conversation": to_global_id("Conversation", conversation.id),
        "request": to_global_id("ChangeRequest", request.id),
    }
    seen_by = {  # who sees each: the object's own person, and the agency's staff
        "client": {team.client_token, team.staff_token},
        "worker": {team.worker_token, team.staff_token},
        "conversation": {team.client_token, team.staff_token},
        "request": {team.client_token, team.staff_token},
    }
    viewers = [team.client_token, team.worker_token, team.staff_token]
    viewers += [neighbour.client_token, neighbour.worker_token, elsewhere]
    for name, global_id in ids.items():
        for token in viewers:
            before = planner.answered
            with _statements() as statements:
                planned = await api.gql(PEOPLE_AND_THREADS, {"id": global_id}, token)
            plain = await unplanned(api, planner, PEOPLE_AND_THREADS, {"id": global_id}, token)
            assert planned == plain and "errors" not in planned, (name, planned)
            node = planned["data"]["node"]
            if token in seen_by[name]:
                assert node is not None and node["id"] == global_id, (name, planned)
                assert planner.answered == before + 1, name
                # Only the columns selected and those the rule reads: never the account's.
                assert not [s for s in statements.sql if "password_hash" in s], statements.sql
            else:
                assert node is None, (name, token, planned)


async def test_node_goes_to_graphql_core_when_the_plan_cannot_say(
    api, planner, settings, home_agency, team
):
    stranger = await setup_agency(api, settings, home_agency)
    me = (await api.data("{ me { id } }", None, team.staff_token))["me"]["id"]
    visit = to_global_id("Intervention", team.visits[0].id)
    cases = [
        (NODE, {"id": me}, team.staff_token),  # a type not read from rows
        (NODE, {"id": visit}, stranger.client_token),  # another household's
        (NODE, {"id": team.client_id}, stranger.worker_token),
        (NODE, {"id": to_global_id("Intervention", 2**31 - 1)}, team.staff_token),  # nothing
        (NODE, {"id": "not an id"}, team.staff_token),
        (NODE, {"id": visit}, None),  # nobody signed in
        (
            "query($id: ID!) { node(id: $id) { ... on Client { premium } } }",
            {"id": team.client_id},
            team.staff_token,
        ),  # a field with a resolver of its own
    ]
    before = planner.answered
    for document, variables, token in cases:
        answer = await api.gql(document, variables, token)
        assert answer == await unplanned(api, planner, document, variables, token), answer
    assert planner.answered == before
    answers = [await api.gql(d, v, t) for d, v, t in cases[1:6]]
    assert [a["data"]["node"] for a in answers[:3]] == [None, None, None], answers
    assert [a["errors"][0]["extensions"]["code"] for a in answers[3:]] == [
        "BAD_USER_INPUT",
        "UNAUTHENTICATED",
    ], answers


class _Statements(logging.Handler):
    """The statements run while serving a request: not those of the background loops
    (the event relay, the outbox), which have no request id."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if request_id_var.get() != "-":
            self.sql.append(record.getMessage())


@contextlib.contextmanager
def _statements() -> Iterator[_Statements]:
    """The statements the ORM runs for requests while the block runs."""
    statements = _Statements()
    with factories.logged_statements(statements):
        yield statements


async def test_a_planned_page_reads_only_the_columns_it_selects(api, planner, team):
    with _statements() as statements:
        document = (
            "query Slim($from: DateTime!, $to: DateTime!) { interventions(filter: "
            "{from: $from, to: $to}) { edges { node { id status } } } }"
        )
        before = planner.answered
        result = await api.data(document, WINDOW, team.worker_token)
        assert planner.answered == before + 1 and len(result["interventions"]["edges"]) == 11
    (page,) = [s for s in statements.sql if '"intervention"' in s and "LIMIT" in s.upper()]
    assert '"status"' in page
    for unread in ("address", "service_type", "instructions", "first_name", "line1"):
        assert unread not in page, page


async def test_planning_can_be_switched_off(api, start, settings, team):
    other = await start(Settings(**{**settings.__dict__, "planned_queries": False}))
    try:
        variables = {**WINDOW, "first": 100}
        off = await other.api.gql(EVERY_FIELD, variables, team.staff_token)
        on = await api.gql(EVERY_FIELD, variables, team.staff_token)
        assert off == on and other.app.state.planner is None
    finally:
        await other.stop()


async def test_the_plan_cache_is_bounded(settings):
    planner = build_schema(settings).planner
    assert planner is not None
    for i in range(PLAN_CACHE_SIZE + 50):
        query = f"query Q{i} {{ me {{ id }} }}"
        planner._entry(query, None, parse(query))
    assert len(planner._entries) == PLAN_CACHE_SIZE


async def test_kept_coerced_variables_answer_each_request_with_its_own_values(api, planner, team):
    """The variables coerced for a document are kept by their values: each request is
    still answered with its own, whether they were kept, new or refused."""
    other_day = {
        "from": (DAY + timedelta(hours=3)).isoformat(),
        "to": (DAY + timedelta(hours=6)).isoformat(),
    }
    seen = []
    for window in (WINDOW, other_day, WINDOW, other_day):
        planned, plain = await both(
            api, planner, CALENDAR, "interventions", {**window, "first": 100}, team.client_token
        )
        assert planned == plain
        seen.append(len(planned["data"]["interventions"]["edges"]))
    assert seen == [12, 3, 12, 3]
    # A text given for a list variable is coerced to a list: used, never kept to share.
    statuses = []
    for status in ("COMPLETED", "MISSED", "COMPLETED", ["COMPLETED", "MISSED"]):
        variables = {**WINDOW, "status": status}
        planned, plain = await both(
            api, planner, FILTERED, "interventions", variables, team.staff_token
        )
        assert planned == plain
        statuses.append({e["node"]["status"] for e in planned["data"]["interventions"]["edges"]})
    assert statuses == [{"COMPLETED"}, {"MISSED"}, {"COMPLETED"}, {"COMPLETED", "MISSED"}]
    # A literal list among the arguments: graphql-core's values are kept with the variables.
    for _ in range(2):
        planned, plain = await both(
            api, planner, LITERAL_LIST, "interventions", WINDOW, team.staff_token
        )
        assert planned == plain
        assert {e["node"]["status"] for e in planned["data"]["interventions"]["edges"]} == {
            "COMPLETED",
            "MISSED",
        }
    kept = [variables for _entry, variables in planner._coerced_by_values.values()]
    assert not any(isinstance(v, list) for k in kept for v in k.values.coerced.values())
    # The arguments' values kept with them are never handed on: converted, they share no
    # list or object with what is kept (a fetch may change its own).
    roots = [found for k in kept for found in (k.arguments or {}).values()]
    assert any(type(values.get("filter", {}).get("status")) is list for _plan, values in roots)
    for plan, values in roots:
        assert not _containers(values) & _containers(plan.convert(values))
    # Refused values are refused on every request, kept values beside them or not.
    for _ in range(2):
        refused = await api.gql(CALENDAR, {**WINDOW, "from": "hier"}, team.client_token)
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert len((await api.data(CALENDAR, WINDOW, team.client_token))["interventions"]["edges"])


def _containers(value: Any) -> set[int]:
    """The ids of every list, dict and input object (a dataclass) in `value`, nested."""
    found: set[int] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            pending.extend(vars(item).values())
        else:
            continue
        found.add(id(item))
    return found


def test_only_short_scalar_variables_make_a_key():
    assert values_key({}) == ()
    assert values_key({"a": 1}) != values_key({"a": True}) != values_key({"a": 1.0})
    assert values_key({"a": "x" * COERCED_KEY_MAX_CHARS}) is not None
    assert values_key({"a": "x" * (COERCED_KEY_MAX_CHARS + 1)}) is None
    assert values_key({"a": ["x"]}) is None and values_key({"a": {"b": 1}}) is None
    assert values_key({f"v{i}": i for i in range(17)}) is None


async def test_the_coerced_variables_kept_are_bounded(settings):
    planner = build_schema(settings).planner
    assert planner is not None
    query = "query Q($n: Int) { me { id } }"
    entry = planner._entry(query, None, parse(query))
    assert entry is not None
    for i in range(COERCED_CACHE_SIZE + 50):
        kept = planner._coerced(entry, {"n": i})
        assert kept is not None and kept.values.coerced == {"n": i}
    assert len(planner._coerced_by_values) == COERCED_CACHE_SIZE
    assert planner._coerced(entry, {"n": "douze"}) is None  # refused: nothing kept
    assert len(planner._coerced_by_values) == COERCED_CACHE_SIZE


async def test_another_households_visits_never_show(api, planner, settings, home_agency, team):
    stranger = await setup_agency(api, settings, home_agency)
    email, _ = await factories.client(api)
    variables = {**WINDOW, "first": 100}
    for token in (stranger.client_token, stranger.worker_token):
        planned, plain = await both(api, planner, CALENDAR, "interventions", variables, token)
        assert planned == plain and planned["data"]["interventions"]["edges"] == []
    fresh = await factories.log_in(api, email)
    planned = await api.data(CALENDAR, variables, fresh)
    assert planned["interventions"]["edges"] == []


async def test_several_roots_and_conditions_are_planned_as_graphql_core_answers_them(
    api, planner, team
):
    document = """
    query Board($from: DateTime!, $to: DateTime!, $rated: Boolean!, $hide: Boolean!) {
      __typename
      day: interventions(filter: { from: $from, to: $to }, first: 20) {
        edges { node { id late rating @include(if: $rated) { score } } }
      }
      past: interventionHistory(first: 3) @skip(if: $hide) { edges { node { id } } }
      interventions(filter: { from: $from, to: $to }, first: 2) {
        pageInfo { hasNextPage }
        ... on InterventionConnection @include(if: true) { edges { cursor } }
      }
    }
    """
    for rated, hide in ((True, False), (False, True), (True, True)):
        variables = {**WINDOW, "rated": rated, "hide": hide}
        planned, plain = await both(
            api, planner, document, "interventions", variables, team.staff_token
        )
        assert planned == plain and "errors" not in planned
        data = planned["data"]
        assert data["__typename"] == "Query" and ("past" in data) is not hide
        assert ("rating" in data["day"]["edges"][0]["node"]) is rated


async def test_planned_roots_beside_others_are_answered_with_them(api, planner, team):
    """A document with a root the planner does not know: its planned roots are answered by
    the planner, the others by graphql-core, in the document's order, with its errors."""
    document = """
    query Mixed($from: DateTime!, $to: DateTime!) {
      me { id role }
      a: interventions(filter: { from: $from, to: $to }, first: 5) {
        edges { node { id rating { score } } }
      }
      clients(first: 2) { edges { node { id } } }
      b: interventionHistory(first: 2) { edges { node { id } } }
      __typename
    }
    """
    for token in (team.staff_token, team.client_token):
        before = planner.partly, planner.answered
        planned = await api.gql(document, WINDOW, token)
        assert (planner.partly, planner.answered) == (before[0] + 1, before[1]), planned
        plain = await unplanned(api, planner, document, WINDOW, token)
        assert planned == plain
        if token == team.staff_token:
            assert list(planned["data"]) == ["me", "a", "clients", "b", "__typename"]
            assert len(planned["data"]["a"]["edges"]) == 5
        else:  # `clients` is staff's, and not null: graphql-core's error nulls the data
            assert planned["data"] is None and planned["errors"][0]["path"] == ["clients"]


# --- The staff's conversations panel ----------------------------------------------------

WAITING = (Path(__file__).parents[2] / "bench/documents/conversations_waiting.graphql").read_text()

EVERY_CONVERSATION_FIELD = """
fragment Talk on Conversation {
  __typename id createdAt lastMessageAt waitingSince responseDueAt overdue premium
  assignedToMe unreadCount client { __typename id }
  lastMessage {
    __typename id body sentAt fromAgency readByClientAt readByAgencyAt responseDueAt
    intervention { id }
    author { __typename id displayName fromAgency }
  }
}
query Panel($first: Int, $after: String, $mine: Boolean!, $waiting: Int) {
  queue: conversationsAwaitingReply(first: $waiting, mine: $mine) {
    __typename premium overdue conversation { ...Talk again: id }
  }
  page: conversations(first: $first, after: $after) {
    __typename
    edges { __typename cursor node { ...Talk } }
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


@pytest.fixture
async def inbox(api, settings):
    """An agency of its own with four households writing in: one premium, one overdue,
    one answered by the advisor, one whose last message lost its author."""
    team = await messaging.new_team(api, settings)
    clients = [(team.client_token, team.client_id)]
    clients += [await messaging.new_client(api, team) for _ in range(3)]
    sent = [
        await messaging.send(api, token, f"Bonjour ({i})") for i, (token, _) in enumerate(clients)
    ]
    ids = [s["message"]["conversation"]["id"] for s in sent]
    await api.data(
        "mutation($input: SetClientPremiumInput!) { setClientPremium(input: $input) { premium } }",
        {"input": {"clientId": clients[1][1], "premium": True}},
        team.staff_token,
    )
    await Conversation.filter(id=pk(ids[2])).update(response_due_at=utcnow() - timedelta(hours=1))
    await messaging.send(api, team.staff_token, "C'est noté", conversationId=ids[3])
    await messaging.send(api, clients[0][0], "Encore moi")
    await Message.filter(id=pk(sent[2]["message"]["id"])).update(author_id=None)
    # The premium household now follows another advisor: `mine` leaves it out.
    other = await Account.get(email=await factories.staff(settings, team.agency_id))
    await Client.filter(id=pk(clients[1][1])).update(advisor_id=other.id)
    team.conversation_ids = ids  # type: ignore[attr-defined]
    return team


async def test_the_conversations_panel_is_answered_as_graphql_core_answers_it(
    api, planner, settings, home_agency, inbox
):
    stranger = await setup_agency(api, settings, home_agency)
    with _statements() as statements:
        await api.data(WAITING, {}, inbox.staff_token)
    # Both panels show conversations with their last message: one statement reads them all.
    newest = [s for s in statements.sql if 'MAX("id")' in s]
    assert len(newest) == 1 and '"author_id"' in newest[0], statements.sql
    planned, plain = await both(api, planner, WAITING, "", {}, inbox.staff_token)
    assert planned == plain and "errors" not in planned
    queue = planned["data"]["conversationsAwaitingReply"]
    assert [row["premium"] for row in queue] == [True, False, False]
    assert [row["overdue"] for row in queue] == [False, True, False]
    nodes = [e["node"] for e in planned["data"]["conversations"]["edges"]]
    assert len(nodes) == 4 and {n["unreadCount"] for n in nodes} == {0, 1, 2}
    # The advisor's answer, with its author; a message whose author is gone, without.
    last = {n["lastMessage"]["body"]: n["lastMessage"] for n in nodes}
    assert last["C'est noté"]["fromAgency"] and last["C'est noté"]["author"]["displayName"]
    assert last["Bonjour (2)"]["author"] is None and last["Encore moi"]["author"]
    for mine in (False, True):
        after = None
        seen = []
        while True:
            variables = {"first": 3, "after": after, "mine": mine, "waiting": 2}
            planned, plain = await both(
                api, planner, EVERY_CONVERSATION_FIELD, "", variables, inbox.staff_token
            )
            assert planned == plain and "errors" not in planned
            page = planned["data"]["page"]
            seen += [e["node"]["id"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert sorted(seen) == sorted(inbox.conversation_ids)
        queue = planned["data"]["queue"]
        assert [row["premium"] for row in queue] == [not mine, False]
    # Another agency's staff see none of this agency's conversations, the same both ways
    # (theirs is the agency other tests of the session write to: not always empty).
    planned, plain = await both(api, planner, WAITING, "", {}, stranger.staff_token)
    assert planned == plain and "errors" not in planned
    shown = {e["node"]["id"] for e in planned["data"]["conversations"]["edges"]}
    shown |= {row["conversation"]["id"] for row in planned["data"]["conversationsAwaitingReply"]}
    assert not shown & set(inbox.conversation_ids)
    # The queue, the list and the unread counts read their rows with SQL written once per
    # shape.
    for rows in (conversations._CONVERSATIONS, conversations._MESSAGES, conversations._UNREAD):
        assert rows._prepared and all(p is not None for p in rows._prepared.values())


async def test_the_conversations_panel_refuses_the_same_way(api, planner, inbox):
    cases: list[tuple[str, dict[str, Any], str | None, str]] = [
        (WAITING, {}, inbox.client_token, "FORBIDDEN"),
        (WAITING, {}, inbox.worker_token, "FORBIDDEN"),
        (WAITING, {}, None, "UNAUTHENTICATED"),
        (
            EVERY_CONVERSATION_FIELD,
            {"first": 2, "after": "garbage", "mine": False},
            inbox.staff_token,
            "BAD_USER_INPUT",
        ),
        (
            EVERY_CONVERSATION_FIELD,
            {"first": 2, "mine": False, "waiting": 101},
            inbox.staff_token,
            "BAD_USER_INPUT",
        ),
    ]
    before = planner.answered
    for document, variables, token, code in cases:
        planned = await api.gql(document, variables, token)
        plain = await unplanned(api, planner, document, variables, token)
        assert planned == plain, (variables, planned, plain)
        assert planned["errors"][0]["extensions"]["code"] == code, planned
    assert planner.answered == before  # each was handed to graphql-core
    planned, plain = await both(
        api,
        planner,
        EVERY_CONVERSATION_FIELD,
        "",
        {"first": 0, "mine": False, "waiting": 0},
        inbox.staff_token,
    )
    assert planned == plain and planned["data"]["queue"] == []


async def test_a_panel_reads_one_statement_per_level_whatever_its_length(api, planner, inbox):
    counts = []
    for first in (2, 4):  # the queue has a premium conversation and others
        with _statements() as statements:
            before = planner.answered
            variables = {"first": first, "mine": False, "waiting": first}
            result = await api.gql(EVERY_CONVERSATION_FIELD, variables, inbox.staff_token)
            assert planner.answered == before + 1 and "errors" not in result
        # The panel's reads (not the session's, nor the event publisher's writes).
        counts.append(sum(s.startswith("SELECT") and "session" not in s for s in statements.sql))
    # 1 for the queue (premium first, then the others, in one statement), 1 for the list,
    # and one statement for each of premium, assignedToMe, unreadCount and lastMessage (its
    # author joined to it) for the conversations of both.
    # On PostgreSQL the two roots' statements go as one, and so do the four of the level
    # below (models/backends/batch.py).
    expected = 1 + 1 if planner_dialect() == "postgres" else 1 + 1 + 4
    assert counts == [expected] * 2


async def test_a_failing_root_leaves_no_resolver_unawaited(api, planner, inbox):
    # The queue refuses its `first`, which nulls the whole answer: graphql-core cancels the
    # page's fields still running, some before they start. Their resolvers never run, and
    # their coroutines are closed (schema/engine/execution.py `complete_awaitable_value`),
    # not left for Python to warn of at their collection, in the log of each such request.
    variables = {"first": 2, "mine": False, "waiting": 101}
    for answer in (api.gql, functools.partial(unplanned, api, planner)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = await answer(EVERY_CONVERSATION_FIELD, variables, inbox.staff_token)
            gc.collect()
        assert result["data"] is None, result
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", result
        assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []


async def test_conversation_fields_not_read_from_rows_go_to_graphql_core(api, planner, inbox):
    before = planner.answered
    for document in (
        "{ conversations { edges { node { id messages(first: 2) { edges { node { id } } } } } } }",
        "{ conversations { edges { node { lastMessage { id conversation { id } } } } } }",
        "{ conversations { edges { node { lastMessage { attachments { id url } } } } } }",
        "{ conversationsAwaitingReply { conversation { messages(first: 1) { edges { node { id } "
        "} } } } }",
    ):
        result = await api.gql(document, None, inbox.staff_token)
        assert "errors" not in result, result
    assert planner.answered == before
