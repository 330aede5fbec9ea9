"""Agency set-up through the API: admins create workers, staff list their clients."""

from __future__ import annotations

from typing import Any

import pytest

from models.accounts.people import Account, AgencyPostalPrefix, Worker
from models.enums import Role
from schema.core.ids import from_global_id, to_global_id
from tests import factories
from tests.factories import PASSWORD, unique
from tests.mailbox import body_of

CREATE_WORKER = """
mutation CreateWorker($input: CreateWorkerInput!) {
  createWorker(input: $input) {
    worker { id employeeNumber account { id } }
    userErrors { field message code }
  }
}
"""

CLIENTS = """
query Clients($first: Int, $after: String) {
  clients(first: $first, after: $after) {
    edges { node { id account { email } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ME = "query { me { id role worker { id } agency { id } } }"


def worker_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "firstName": "Fatou",
        "lastName": "Diallo",
        "email": f"{unique('worker')}@example.com",
        "phone": "06 11 22 33 44",
        "password": PASSWORD,
        "employeeNumber": unique("MAT"),
    }
    values.update(overrides)
    return values


async def staff_token(api, settings, agency_id: int, role: Role = Role.ADMIN) -> str:
    return await factories.log_in(api, await factories.staff(settings, agency_id, role))


async def create_worker(api, token: str, **overrides: Any) -> dict[str, Any]:
    result = await api.data(CREATE_WORKER, {"input": worker_input(**overrides)}, token=token)
    return dict(result["createWorker"])


@pytest.fixture
async def admin(api, settings, home_agency) -> str:
    return await staff_token(api, settings, home_agency)


async def test_an_admin_creates_a_worker_who_can_then_log_in(
    api, settings, mailbox, home_agency, admin
):
    data = worker_input(email=f"{unique('Nouvel.')}@Example.com", employeeNumber="M-0042")
    payload = (await api.data(CREATE_WORKER, {"input": data}, token=admin))["createWorker"]
    assert payload["userErrors"] == []
    worker = payload["worker"]
    assert from_global_id(worker["id"])[0] == "Worker"
    assert from_global_id(worker["account"]["id"])[0] == "Account"
    assert worker["employeeNumber"] == "M-0042"

    email = data["email"].lower()
    token = await factories.log_in(api, email)
    me = (await api.data(ME, token=token))["me"]
    assert me == {
        "id": worker["account"]["id"],
        "role": "WORKER",
        "worker": {"id": worker["id"]},
        "agency": {"id": factories.agency_gid(home_agency)},
    }
    welcome = await mailbox.wait_for(email, "Votre compte Passage a été créé")
    assert "Agence Paris Test" in body_of(welcome)
    assert PASSWORD not in body_of(welcome)
    row = await Account.get(email=email)
    assert row.phone == "+33611223344"
    assert row.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.WORKER])
async def test_only_admins_create_workers(api, settings, home_agency, role):
    token = await staff_token(api, settings, home_agency, role)
    data = worker_input()
    assert await api.error_code(CREATE_WORKER, {"input": data}, token) == "FORBIDDEN"
    assert not await Account.filter(email=data["email"]).exists()


async def test_clients_and_anonymous_callers_cannot_create_workers(api, home_agency):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    data = worker_input()
    assert await api.error_code(CREATE_WORKER, {"input": data}, token) == "FORBIDDEN"
    assert await api.error_code(CREATE_WORKER, {"input": data}) == "UNAUTHENTICATED"
    assert not await Account.filter(email=data["email"]).exists()


@pytest.mark.parametrize(
    ("override", "field", "code"),
    [
        ({"firstName": "R2D2"}, "firstName", "INVALID_NAME"),
        ({"firstName": "   "}, "firstName", "INVALID_NAME"),
        ({"lastName": "x" * 101}, "lastName", "INVALID_NAME"),
        ({"email": "not-an-email"}, "email", "INVALID_EMAIL"),
        ({"phone": "12"}, "phone", "INVALID_PHONE"),
        ({"phone": ""}, "phone", "INVALID_PHONE"),
        ({"password": "short1!"}, "password", "PASSWORD_TOO_SHORT"),
        ({"password": "Password123456!"}, "password", "PASSWORD_TOO_COMMON"),
        ({"employeeNumber": ""}, "employeeNumber", "INVALID_EMPLOYEE_NUMBER"),
        ({"employeeNumber": "   "}, "employeeNumber", "INVALID_EMPLOYEE_NUMBER"),
        ({"employeeNumber": "M" * 21}, "employeeNumber", "INVALID_EMPLOYEE_NUMBER"),
        ({"employeeNumber": "M 0042"}, "employeeNumber", "INVALID_EMPLOYEE_NUMBER"),
        ({"employeeNumber": "M\u00e90042"}, "employeeNumber", "INVALID_EMPLOYEE_NUMBER"),
    ],
)
async def test_create_worker_rejects_bad_input_field_by_field(api, admin, override, field, code):
    data = worker_input(**override)
    workers = await Worker.all().count()
    payload = (await api.data(CREATE_WORKER, {"input": data}, token=admin))["createWorker"]
    assert payload["worker"] is None
    assert {"field": [field], "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in payload["userErrors"]
    ]
    assert all(e["message"] for e in payload["userErrors"])
    assert await Worker.all().count() == workers
    assert not await Account.filter(email=data["email"]).exists()


async def test_employee_number_at_the_limit_is_accepted(api, admin):
    number = "M" * 19 + "1"
    payload = await create_worker(api, admin, employeeNumber=f"  {number} ")
    assert payload["userErrors"] == []
    assert payload["worker"]["employeeNumber"] == number


async def test_an_e_mail_already_in_use_is_refused(api, admin, home_agency):
    client_email, _ = await factories.client(api)
    payload = await create_worker(api, admin, email=client_email.upper())
    assert payload["worker"] is None
    assert payload["userErrors"] == [
        {"field": ["email"], "message": payload["userErrors"][0]["message"], "code": "EMAIL_TAKEN"}
    ]
    assert await Account.filter(email=client_email).count() == 1


async def test_an_employee_number_is_unique_within_an_agency_only(
    api, settings, admin, home_agency
):
    number = unique("DUP")
    assert (await create_worker(api, admin, employeeNumber=number))["userErrors"] == []
    again = await create_worker(api, admin, employeeNumber=number)
    assert again["worker"] is None
    assert [e["code"] for e in again["userErrors"]] == ["EMPLOYEE_NUMBER_TAKEN"]
    assert again["userErrors"][0]["field"] == ["employeeNumber"]

    other_admin = await staff_token(api, settings, await factories.agency(settings))
    elsewhere = await create_worker(api, other_admin, employeeNumber=number)
    assert elsewhere["userErrors"] == []
    assert elsewhere["worker"]["employeeNumber"] == number
    assert await Worker.filter(employee_number=number).count() == 2


async def _agency_with_clients(api, settings, count: int) -> tuple[int, list[str]]:
    """A new agency and `count` clients signed up in its area, oldest first."""
    agency_id = await factories.agency(settings)
    prefix = (await AgencyPostalPrefix.get(agency_id=agency_id)).prefix
    emails = []
    for _ in range(count):
        email, _ = await factories.client(
            api,
            billingAddress={
                "line1": "3 rue Neuve",
                "postalCode": factories.postal_code(prefix),
                "city": "Ville",
            },
        )
        emails.append(email)
    return agency_id, emails


async def _all_pages(api, token: str, first: int) -> tuple[list[str], list[bool]]:
    emails: list[str] = []
    has_next: list[bool] = []
    after = None
    for _ in range(50):
        result = await api.data(CLIENTS, {"first": first, "after": after}, token=token)
        page = result["clients"]
        emails += [edge["node"]["account"]["email"] for edge in page["edges"]]
        has_next.append(page["pageInfo"]["hasNextPage"])
        if not page["pageInfo"]["hasNextPage"]:
            return emails, has_next
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("pagination never ended")


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.ADMIN])
async def test_staff_page_through_their_own_agency_clients(api, settings, home_agency, role):
    agency_id, emails = await _agency_with_clients(api, settings, 5)
    await factories.client(api)  # in the home agency: never listed for the new one
    token = await staff_token(api, settings, agency_id, role)

    listed, has_next = await _all_pages(api, token, 2)
    assert listed == emails  # every client once, in sign-up order: no duplicate, no gap
    assert has_next == [True, True, False]

    everything = (await api.data(CLIENTS, {"first": 100}, token=token))["clients"]
    assert [e["node"]["account"]["email"] for e in everything["edges"]] == emails
    assert everything["pageInfo"]["hasNextPage"] is False
    default = (await api.data(CLIENTS, token=token))["clients"]
    assert len(default["edges"]) == 5

    home_token = await staff_token(api, settings, home_agency, role)
    home_listed, _ = await _all_pages(api, home_token, 100)
    assert not set(home_listed) & set(emails)


async def test_an_exact_last_page_says_there_is_no_next_one(api, settings):
    agency_id, _ = await _agency_with_clients(api, settings, 2)
    token = await staff_token(api, settings, agency_id, Role.ADVISOR)
    page = (await api.data(CLIENTS, {"first": 2}, token=token))["clients"]
    assert len(page["edges"]) == 2
    assert page["pageInfo"]["hasNextPage"] is False
    after = page["pageInfo"]["endCursor"]
    empty = (await api.data(CLIENTS, {"first": 2, "after": after}, token=token))["clients"]
    assert empty == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 101},
        {"first": -1},
        {"first": 10, "after": "not a cursor!"},
        {"first": 10, "after": to_global_id("Agency", 1)},
    ],
)
async def test_clients_refuses_bad_paging_arguments(api, settings, home_agency, variables):
    token = await staff_token(api, settings, home_agency, Role.ADVISOR)
    assert await api.error_code(CLIENTS, variables, token) == "BAD_USER_INPUT"


async def test_only_staff_list_clients(api, settings, home_agency):
    email, _ = await factories.client(api)
    client_token = await factories.log_in(api, email)
    assert await api.error_code(CLIENTS, {"first": 10}, client_token) == "FORBIDDEN"
    worker_token = await staff_token(api, settings, home_agency, Role.WORKER)
    assert await api.error_code(CLIENTS, {"first": 10}, worker_token) == "FORBIDDEN"
    assert await api.error_code(CLIENTS, {"first": 10}) == "UNAUTHENTICATED"
