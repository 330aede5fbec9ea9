"""Visits read with SQL written once per shape are exactly what Tortoise itself reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from tortoise.expressions import Q

from models.accounts.people import Agency
from models.enums import InterventionStatus
from models.visits.visits import Intervention
from resolvers.accounts import sessions
from resolvers.core.prepared import PreparedRows
from resolvers.core.runtime import build_runtime
from resolvers.core.shapes import probe
from resolvers.visits import calendar
from tests.factories import pk, setup_agency, unique
from tests.visits.factories import make_visits


async def _truth(
    viewer: Any, start: datetime, end: datetime, statuses: Any = None, after: Any = None
) -> list[dict[str, Any]]:
    query = Intervention.filter(await calendar.scope(viewer)).filter(
        scheduled_start__lt=end, scheduled_end__gt=start
    )
    if statuses:
        query = query.filter(status__in=statuses)
    if after is not None:
        query = query.filter(
            Q(scheduled_start__gt=after[0]) | Q(scheduled_start=after[0], id__gt=after[1])
        )
    query = query.order_by("scheduled_start", "id").limit(11)
    return list(await query.values(*calendar.ROW_FIELDS))


async def test_every_shape_reads_what_tortoise_reads(api, settings, home_agency):
    # Only the shapes this test writes: others (a status list with repeated values, from the
    # generated documents of tests/engine/test_differential.py) are rightly never cached.
    calendar._ROWS._prepared.clear()
    team = await setup_agency(api, settings, home_agency)
    day = datetime(2032, 5, 5, 6, tzinfo=UTC)
    await make_visits(team, 30, day)
    client_pk = pk(team.client_id)
    visits = await Intervention.filter(client_id=client_pk).order_by("id")
    for visit in visits[:7]:
        visit.status = InterventionStatus.COMPLETED
        visit.checked_in_at = visit.scheduled_start + timedelta(minutes=1)
        visit.checked_out_at = visit.scheduled_end
        visit.position_flagged = True
        await visit.save()
    runtime = build_runtime(settings)
    start, end = day - timedelta(hours=1), day + timedelta(hours=5)
    for token in (team.client_token, team.worker_token, team.staff_token):
        viewer = await sessions.viewer_from_token(runtime, f"Bearer {token}")
        for statuses in (None, [InterventionStatus.COMPLETED, InterventionStatus.SCHEDULED]):
            flt = calendar.CalendarFilter(start=start, end=end, statuses=statuses)
            rows = await calendar.calendar(viewer, flt, 10, None)
            assert rows == await _truth(viewer, start, end, statuses)
            assert len(rows) == 11
            # Twice: the second read runs the SQL written the first time.
            assert await calendar.calendar(viewer, flt, 10, None) == rows
            cursor = calendar.encode_position(rows[9]["scheduled_start"], rows[9]["id"])
            after = calendar.decode_position(cursor)
            page = await calendar.calendar(viewer, flt, 10, cursor)
            assert page == await _truth(viewer, start, end, statuses, after)
        found = await calendar.by_ids(viewer, [visits[0].id, visits[1].id])
        assert sorted(row["id"] for row in found) == [visits[0].id, visits[1].id]
        assert found[0]["position_flagged"] is True
        assert found[0]["status"] is InterventionStatus.COMPLETED
    # The shapes above were all written once and reused.
    assert calendar._ROWS._prepared
    assert all(prepared is not None for prepared in calendar._ROWS._prepared.values())


async def test_a_stranger_sees_nothing_through_a_cached_shape(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    other = await setup_agency(api, settings, home_agency)
    day = datetime(2032, 6, 6, 6, tzinfo=UTC)
    await make_visits(team, 3, day)
    runtime = build_runtime(settings)
    flt = calendar.CalendarFilter(start=day, end=day + timedelta(hours=1))
    mine = await sessions.viewer_from_token(runtime, f"Bearer {team.client_token}")
    theirs = await sessions.viewer_from_token(runtime, f"Bearer {other.client_token}")
    assert len(await calendar.calendar(mine, flt, 10, None)) == 3
    assert await calendar.calendar(theirs, flt, 10, None) == []


def test_inputs_without_distinct_probe_values_are_never_cached():
    assert probe({"a": 1, "b": datetime(2030, 1, 1, tzinfo=UTC)}) is not None
    assert probe({"a": None}) is None
    assert probe({"a": datetime(2030, 1, 1)}) is None  # naive
    assert probe({"a": True, "b": False}) is None  # two flags would share their values
    too_many = {f"s{i}": InterventionStatus.SCHEDULED for i in range(len(InterventionStatus) + 1)}
    assert probe(too_many) is None


async def test_a_like_pattern_is_reused_and_its_special_characters_read_as_tortoise_reads(server):
    tag = unique("like")
    names = [f"{tag} 100% net", f"{tag} 100 net", f"{tag} a_b", f"{tag} axb", f"{tag} back\\slash"]
    for name in names:
        await Agency.create(name=name)
    rows = PreparedRows(Agency, ("id", "name"))

    def build(v: Any) -> Any:
        return Agency.filter(name__contains=v["part"], name__startswith=v["tag"]).order_by("id")

    for part in ("net", "100%", "a_b", "\\", "%", "_", " a"):
        found = await rows.fetch("contains", build, {"part": part, "tag": tag})
        truth = await Agency.filter(name__contains=part, name__startswith=tag).order_by("id")
        assert [r["name"] for r in found] == [a.name for a in truth], part
    (prepared,) = rows._prepared.values()
    assert prepared is not None
    assert {(s.name, s.before, s.after) for s in prepared.slots} == {
        ("part", "%", "%"),
        ("tag", "", "%"),
    }


async def test_a_flag_is_an_input_like_any_other(server):
    from models.visits.visits import ServiceType

    rows = PreparedRows(ServiceType, ("id", "code"))

    def build(v: Any) -> Any:
        return ServiceType.filter(active=v["active"], id__gt=v["after"]).order_by("id")

    for active in (True, False, True, False):
        inputs = {"active": active, "after": 0}
        found = await rows.fetch("active", build, inputs)
        assert [r["id"] for r in found] == [t.id for t in await build(inputs)]
        assert found or not active  # the catalogue's active types at least
    (prepared,) = rows._prepared.values()
    assert prepared is not None and {slot.name for slot in prepared.slots} == {"active", "after"}


async def test_a_constant_or_a_value_written_into_the_text_is_never_cached(server):
    rows = PreparedRows(Agency, ("id", "name"))
    # A parameter from no input: it could be an input transformed (here: a comparison).
    await rows.fetch("constant", lambda v: Agency.filter(name=str(v["n"] > 5)), {"n": 3})
    # A value written into the SQL text.
    await rows.fetch("text", lambda v: Agency.filter(id__gt=0).limit(v["n"] % 7 + 1), {"n": 2})
    # An input the query does not read.
    await rows.fetch("unread", lambda v: Agency.filter(id__gt=0), {"n": 4})
    assert len(rows._prepared) == 3
    assert all(prepared is None for prepared in rows._prepared.values())


async def test_the_rule_context_is_read_with_sql_written_once(server, settings):
    from bench.documents import seed
    from models.accounts.people import Client
    from models.requests import ChangeRequest
    from models.visits.visits import RecurringPlan
    from resolvers.agency import policy
    from resolvers.core import prepared
    from resolvers.requests import review, rule_context, rules
    from tests.factories import new_prefix

    tag = unique("rules")
    world = await seed(name=f"Agence {tag}", prefix=new_prefix(), tag=tag)
    runtime = build_runtime(settings)
    staff = await sessions.viewer_from_token(runtime, f"Bearer {world.token('staff')}")
    assert staff is not None
    for _ in range(2):  # the second time from the SQL written the first
        reviewed = await review.pending(staff, 20, None)
        assert reviewed and all(r.checks for r in reviewed)
    # The visits joined to the page are the ones the rules read by themselves elsewhere.
    requests = [r.request for r in reviewed]
    alone = await rule_context.context_for(staff.agency_id or 0, requests, datetime.now(UTC))
    assert [rules.evaluate(r, alone) for r in requests] == [r.checks for r in reviewed]
    clients = [c.id for c in await Client.filter(agency_id=staff.agency_id)]
    # The worker of each client's latest visit, unless a weekly plan names one: as Tortoise
    # reads it from every visit.
    truth = dict(
        await Intervention.filter(client_id__in=clients, worker_id__isnull=False)
        .order_by("scheduled_start", "worker_id")
        .values_list("client_id", "worker_id")
    )
    truth.update(
        await RecurringPlan.filter(client_id__in=clients)
        .order_by("id")
        .values_list("client_id", "worker_id")
    )
    assert await rule_context.usual_workers(clients) == truth
    used = [
        policy._RULE_SETTINGS,
        rule_context._WORKERS,
        rule_context._PLAN_WORKERS,
        rule_context._BUSY,
        prepared.every_field(ChangeRequest),
    ]
    for rows in used:
        assert rows._prepared, rows.model
        assert all(p is not None for p in rows._prepared.values()), (
            rows.model,
            [k for k, p in rows._prepared.items() if p is None],
        )


def _same_instance(found: Any, truth: Any) -> None:
    for name in type(truth)._meta.fields_db_projection:
        value, expected = getattr(found, name), getattr(truth, name)
        assert (value, type(value)) == (expected, type(expected)), (type(truth), name)


async def test_get_by_id_gives_the_instance_tortoise_gives(server, settings):
    from bench.documents import seed
    from models.accounts.people import Account, Client, Worker
    from models.messaging import Conversation
    from models.ratings import Rating
    from models.requests import ChangeRequest
    from resolvers.core import nodes, prepared
    from resolvers.core.prepared import get_by_id, get_many
    from resolvers.ratings.ratings import ratings_for_visits
    from tests.factories import new_prefix

    tag = unique("by-id")
    world = await seed(name=f"Agence {tag}", prefix=new_prefix(), tag=tag)
    for model in (Conversation, ChangeRequest, Client, Account, Worker, Intervention):
        truth = await model.all().order_by("-id").first()
        assert truth is not None
        many = await model.all().order_by("-id").limit(3)
        for _ in range(2):  # the second time from the SQL written the first
            found = await get_by_id(model, truth.id)
            assert found is not None
            _same_instance(found, truth)
            by_id = {row.pk: row for row in await get_many(model, [m.pk for m in many])}
            assert sorted(by_id) == sorted(m.pk for m in many), model
            for expected in many:
                _same_instance(by_id[expected.pk], expected)
        assert await get_by_id(model, 2**31 - 1) is None
        assert await get_many(model, [2**31 - 1]) == []
    # A client and a worker with their accounts, as staff of their agency read them by node.
    runtime = build_runtime(settings)
    staff = await sessions.viewer_from_token(runtime, f"Bearer {world.token('staff')}")
    assert staff is not None
    for fetch, model in ((nodes.client, Client), (nodes.worker, Worker)):
        truth = await model.filter(agency_id=staff.agency_id).first()
        assert truth is not None
        person = await fetch(staff, truth.id)
        assert person is not None
        _same_instance(person[0], truth)
        _same_instance(person[1], await Account.get(id=truth.account_id))
    # A visit's rating, as the node and graphql-core's loaders read it.
    rating = await Rating.filter(agency_id=staff.agency_id).first()
    assert rating is not None
    ratings = await ratings_for_visits(staff, [rating.intervention_id, 2**31 - 1])
    assert ratings[1] is None and ratings[0] is not None
    _same_instance(ratings[0], rating)
    assert all(
        p is not None for rows in prepared._EVERY_FIELD.values() for p in rows._prepared.values()
    )


async def test_the_service_catalogue_is_read_again_for_a_type_it_does_not_hold(server):
    from models.visits.visits import ServiceType
    from resolvers.requests.review import service_codes

    codes = dict(await service_codes())  # read once, then held by the process
    assert codes == dict(await ServiceType.all().values_list("id", "code"))
    added = await ServiceType.create(
        code=unique("SVC")[:40], label="Type ajouté", hourly_rate_cents=3000, active=False
    )
    try:
        assert added.id not in codes
        assert (await service_codes([added.id]))[added.id] == added.code
    finally:
        await added.delete()


async def test_the_newest_event_of_a_channel_is_the_one_tortoise_reads(api, office):
    from models.events import Event
    from resolvers.core import live
    from subscriptions.hub import newest_id, scope_of
    from tests.factories import at, visit

    day = date(2034, 3, 7)  # a Tuesday, whatever today is
    await visit(api, office, at(day, 9))
    await visit(api, office, at(day, 14), office.other_worker_id)
    newest = await Event.all().order_by("-id").first()
    assert newest is not None and newest.worker_id is not None
    channels = [
        f"agency:{newest.agency_id}",
        f"client:{newest.client_id}",
        f"worker:{newest.worker_id}",
        f"worker:{pk(office.worker_id)}",
        "agency:0",  # none
    ]
    for channel in channels:
        assert await live.newest_in(channel) == await newest_id(scope_of(channel)), channel
    assert await live.newest_in(f"agency:{newest.agency_id}") == newest.id
    assert all(p is not None for p in live._NEWEST._prepared.values())


async def test_a_date_is_read_as_tortoise_reads_it(server):
    # Dates are text on SQLite: they are parsed by the standard library, and whatever it
    # refuses by Tortoise, so every value gives what Tortoise's own field gives.
    from models.billing.invoices import Invoice

    field = Invoice._meta.fields_map["issued_on"]
    dialect = Invoice._meta.db.capabilities.dialect
    converters = dict(PreparedRows(Invoice, ("issued_on",))._converters_of(("issued_on",)))
    if dialect == "postgres":  # asyncpg hands dates over as dates: nothing to convert
        assert not converters
        return
    convert = converters["issued_on"]
    for value in (
        "2024-03-01",
        "2024-12-31",
        "2024-03-01 00:00:00",
        "2024-03-01T23:30:00+02:00",
        "20240301",
        date(2024, 3, 1),
        None,
    ):
        assert convert(value) == field.to_python_value(value), value


async def test_an_enum_and_an_instant_are_read_as_tortoise_reads_them(server):
    # An enum column is read by a look-up of its members, an instant asyncpg gave in UTC
    # as it is: the same values, of the same types, as Tortoise's fields give.
    from models.help import HelpArticle, HelpArticleKind

    kind = HelpArticle._meta.fields_map["kind"]
    published = HelpArticle._meta.fields_map["published_at"]
    converters = dict(
        PreparedRows(HelpArticle, ("kind", "published_at"))._converters_of(("kind", "published_at"))
    )
    for value in [*(member.value for member in HelpArticleKind), None]:
        got = converters["kind"](value)
        assert got is kind.to_python_value(value), value
    with pytest.raises(ValueError):
        kind.to_python_value("NOT_A_KIND")
    with pytest.raises(ValueError):
        converters["kind"]("NOT_A_KIND")
    moments = [
        datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        "2026-03-01 08:30:00",
        "2026-03-01T09:30:00+01:00",
        None,
    ]
    for moment in moments:
        expected = published.to_python_value(moment)
        got = converters["published_at"](moment)
        assert got == expected and type(got) is type(expected), moment
        if got is not None:  # in UTC, as Tortoise's (its zone object may differ)
            assert got.utcoffset() == expected.utcoffset() == timedelta(0), moment


async def test_a_loaded_instance_is_set_as_tortoise_sets_it_descriptors_included(server):
    """`loaded` writes a row's values straight into the instance, but through the class
    for a name it makes a property of (`pk`, here): as `object.__setattr__` does."""
    from models.requests import ChangeRequest
    from resolvers.core.prepared import loaded

    plain = loaded(ChangeRequest, {"id": 7, "note": "x"}, ("id", "note"))
    assert (plain.pk, plain.id, plain.note) == (7, 7, "x")
    assert plain._partial and plain._saved_in_db
    through = loaded(ChangeRequest, {"pk": 8, "note": "y"}, ("pk", "note"))
    assert (through.pk, through.id, through.note) == (8, 8, "y")
    assert "pk" not in vars(through)
