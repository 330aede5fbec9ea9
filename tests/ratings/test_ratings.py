"""Clients rate completed visits; staff read ratings, averages and follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.ratings import Rating
from schema.core.ids import from_global_id
from tests.factories import schedule, setup_agency
from tests.ratings.factories import RATE, completed_visit

AGENCY_RATINGS = """
query { ratings(first: 50) { edges { node { id score intervention { id } } } } }
"""

AVERAGES = """
query Averages($year: Int!, $by: RatingGrouping!) {
  ratingAverages(year: $year, groupBy: $by) { key count average }
}
"""

FOLLOW_UPS = "query { ratingFollowUps { id rating { score comment } } }"


async def test_a_client_rates_a_completed_visit_once_and_may_edit_it_for_a_week(
    api, settings, home_agency
):
    team = await setup_agency(api, settings, home_agency)
    visit_id = await completed_visit(api, team)
    first = await api.data(
        RATE,
        {"input": {"interventionId": visit_id, "score": 4, "comment": "Très bien"}},
        token=team.client_token,
    )
    assert first["rateIntervention"]["rating"]["score"] == 4
    edited = await api.data(
        RATE, {"input": {"interventionId": visit_id, "score": 5}}, token=team.client_token
    )
    assert edited["rateIntervention"]["rating"]["id"] == first["rateIntervention"]["rating"]["id"]
    assert edited["rateIntervention"]["rating"]["score"] == 5
    assert await Rating.filter(intervention_id=from_global_id(visit_id)[1]).count() == 1

    rating = await Rating.get(intervention_id=from_global_id(visit_id)[1])
    rating.created_at -= timedelta(days=8)
    await rating.save()
    locked = await api.data(
        RATE, {"input": {"interventionId": visit_id, "score": 1}}, token=team.client_token
    )
    assert locked["rateIntervention"]["userErrors"][0]["code"] == "RATING_LOCKED"


async def test_ratings_refuse_bad_input_and_other_people(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    other = await setup_agency(api, settings, home_agency)
    visit_id = await completed_visit(api, team)
    pending = (await schedule(api, team, hours_from_now=30))["intervention"]["id"]

    async def codes(token: str, **values) -> list[str]:
        result = await api.data(
            RATE, {"input": {"interventionId": visit_id, "score": 3, **values}}, token=token
        )
        return [e["code"] for e in result["rateIntervention"]["userErrors"]]

    assert await codes(team.client_token, score=0) == ["INVALID_SCORE"]
    assert await codes(team.client_token, score=6) == ["INVALID_SCORE"]
    assert await codes(team.client_token, comment="x" * 1001) == ["TOO_LONG"]
    assert await codes(team.client_token, interventionId=pending) == ["NOT_COMPLETED"]
    assert await codes(other.client_token) == ["NOT_FOUND"]
    variables = {"input": {"interventionId": visit_id, "score": 3}}
    assert await api.error_code(RATE, variables, token=team.worker_token) == "FORBIDDEN"
    assert await api.error_code(RATE, variables, token=team.staff_token) == "FORBIDDEN"
    assert await api.error_code(RATE, variables) == "UNAUTHENTICATED"


async def test_staff_see_ratings_averages_and_low_score_follow_ups(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    visits = [await completed_visit(api, team) for _ in range(2)]
    for visit_id, score in zip(visits, (5, 2), strict=True):
        await api.data(
            RATE,
            {
                "input": {
                    "interventionId": visit_id,
                    "score": score,
                    "comment": "Retard" if score == 2 else "",
                }
            },
            token=team.client_token,
        )
    listed = (await api.data(AGENCY_RATINGS, token=team.staff_token))["ratings"]["edges"]
    assert set(visits) <= {edge["node"]["intervention"]["id"] for edge in listed}

    year = datetime.now(UTC).year
    by_worker = await api.data(AVERAGES, {"year": year, "by": "WORKER"}, token=team.staff_token)
    mine = [row for row in by_worker["ratingAverages"] if row["key"] == team.worker_id]
    assert mine == [{"key": team.worker_id, "count": 2, "average": 3.5}]

    follow_ups = (await api.data(FOLLOW_UPS, token=team.staff_token))["ratingFollowUps"]
    assert {"score": 2, "comment": "Retard"} in [f["rating"] for f in follow_ups]
    assert await api.error_code(FOLLOW_UPS, token=team.client_token) == "FORBIDDEN"
    assert (
        await api.error_code(AVERAGES, {"year": 1900, "by": "MONTH"}, token=team.staff_token)
        == "BAD_USER_INPUT"
    )
