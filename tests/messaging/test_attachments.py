"""Files joined to messages: checked by their first bytes, served through signed links."""

from __future__ import annotations

import base64
from typing import Any

from resolvers.messaging.attachments import signed_token
from schema.core.ids import from_global_id
from tests.factories import SECRET
from tests.messaging.factories import new_team, send, verify


def png(size: int = 64) -> str:
    data = b"\x89PNG\r\n\x1a\n" + b"\x00" * (size - 8)
    return base64.b64encode(data).decode()


NODE = "query N($id: ID!) { node(id: $id) { ... on MessageAttachment { filename } } }"
STAFF_VIEW = (
    "query { conversations(first: 1) { edges { node { messages(first: 1) { edges { node { "
    "attachments { url } } } } } } } }"
)


def local(url: str) -> str:
    return url.removeprefix("http://passage.test")


async def test_attachments_are_checked_and_served_only_through_signed_links(api, settings):
    team = await new_team(api, settings)
    photo = await a_photo_and_a_quote_are_sent_with_clean_names(api, team)
    await the_photo_is_served_as_an_attachment(api, photo)
    await staff_of_the_agency_get_their_own_link(api, team)
    # The file is a node too, for the two sides only.
    mine = await api.data(NODE, {"id": photo["id"]}, token=team.staff_token)
    assert mine["node"] == {"filename": "tache.png"}
    await a_tampered_expired_or_foreign_link_gives_nothing(api, settings, team, photo)
    await an_accented_name_is_served_encoded(api, team)
    await unsupported_broken_large_or_many_files_are_refused(api, team)
    await other_formats_are_named_by_their_content(api, team)


async def a_photo_and_a_quote_are_sent_with_clean_names(api, team) -> dict[str, Any]:
    pdf = base64.b64encode(b"%PDF-1.7\n" + b"1" * 100).decode()
    sent = await send(
        api,
        team.client_token,
        "Photos de la tache",
        attachments=[
            {"filename": "tache.png", "contentBase64": png()},
            {"filename": "../../etc/devis<script>.pdf", "contentBase64": pdf},
        ],
    )
    assert sent["userErrors"] == []
    photo, quote = sent["message"]["attachments"]
    assert (photo["contentType"], photo["size"], photo["filename"]) == (
        "image/png",
        64,
        "tache.png",
    )
    assert quote["contentType"] == "application/pdf"
    assert "/" not in quote["filename"] and "<" not in quote["filename"]
    assert quote["filename"].endswith(".pdf")
    return dict(photo)


async def the_photo_is_served_as_an_attachment(api, photo: dict[str, Any]) -> None:
    response = await api.http.get(local(photo["url"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.content == base64.b64decode(png())


async def staff_of_the_agency_get_their_own_link(api, team) -> None:
    staff_view = await api.data(STAFF_VIEW, token=team.staff_token)
    staff_url = staff_view["conversations"]["edges"][0]["node"]["messages"]["edges"][0]["node"][
        "attachments"
    ][0]["url"]
    assert (await api.http.get(local(staff_url))).status_code == 200


async def a_tampered_expired_or_foreign_link_gives_nothing(api, settings, team, photo) -> None:
    path = local(photo["url"])
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    assert (await api.http.get(tampered)).status_code == 404
    account = await verify(team.client_id)
    expired = signed_token(SECRET, from_global_id(photo["id"])[1], account.id, -1)
    assert (await api.http.get(f"/attachments/{expired}")).status_code == 404
    # A link made for an account that may not read the conversation gives nothing either.
    stranger = await new_team(api, settings)
    other = await verify(stranger.client_id)
    foreign = signed_token(SECRET, from_global_id(photo["id"])[1], other.id, 60)
    assert (await api.http.get(f"/attachments/{foreign}")).status_code == 404
    assert (await api.data(NODE, {"id": photo["id"]}, token=stranger.staff_token))["node"] is None


async def an_accented_name_is_served_encoded(api, team) -> None:
    accented = await send(
        api,
        team.client_token,
        "nom accentué",
        attachments=[{"filename": "Relevé d'été 日本.png", "contentBase64": png()}],
    )
    response = await api.http.get(local(accented["message"]["attachments"][0]["url"]))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]


async def unsupported_broken_large_or_many_files_are_refused(api, team) -> None:
    async def codes(files: list[dict[str, str]]) -> list[str]:
        result = await send(api, team.client_token, "fichiers", attachments=files)
        return [e["code"] for e in result["userErrors"]]

    gif = base64.b64encode(b"GIF89a" + b"\x00" * 20).decode()
    html = base64.b64encode(b"<html><script>alert(1)</script></html>").decode()
    assert await codes([{"filename": "a.png", "contentBase64": gif}]) == ["UNSUPPORTED_FILE_TYPE"]
    assert await codes([{"filename": "a.pdf", "contentBase64": html}]) == ["UNSUPPORTED_FILE_TYPE"]
    assert await codes([{"filename": "a.png", "contentBase64": "%%%"}]) == ["INVALID_BASE64"]
    assert await codes([{"filename": "a.png", "contentBase64": png(150_001)}]) == ["FILE_TOO_LARGE"]
    assert await codes([{"filename": "a.png", "contentBase64": png()}] * 4) == [
        "TOO_MANY_ATTACHMENTS"
    ]
    assert await codes([{"filename": "a" * 121, "contentBase64": png()}]) == ["TOO_LONG"]


async def other_formats_are_named_by_their_content(api, team) -> None:
    webp = base64.b64encode(b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8).decode()
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 8).decode()
    ok = await send(
        api,
        team.client_token,
        "formats",
        attachments=[
            {"filename": "a", "contentBase64": webp},
            {"filename": "b.exe", "contentBase64": jpeg},
        ],
    )
    assert [(a["contentType"], a["filename"]) for a in ok["message"]["attachments"]] == [
        ("image/webp", "a.webp"),
        ("image/jpeg", "b.jpg"),
    ]
