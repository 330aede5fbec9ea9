"""The pages behind e-mailed links, in Chromium: a real e-mail read from the test SMTP
server, its link opened, the form submitted, the result shown."""

from __future__ import annotations

from typing import Any

from models.accounts.people import Client
from tests import factories
from tests.billing import factories as bh
from tests.factories import PASSWORD
from tests.mailbox import body_of
from tests.privacy.factories import REQUEST

NEW_PASSWORD = "Autre-Mot2Passe!"
RESET = "mutation R($e: String!) { requestPasswordReset(email: $e) { ok } }"


def link_in(message: Any, base: str, public_url: str) -> str:
    line = next(w for w in body_of(message).split() if w.startswith(public_url))
    return base + line[len(public_url) :]


async def _page(browser: Any) -> tuple[Any, Any, list[str]]:
    context = await browser.new_context(locale="fr-FR")
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return context, page, problems


async def test_verify_email_and_reset_password_pages(api, settings, mailbox, browser, home_agency):
    email, _ = await factories.client(api)
    context, page, problems = await _page(browser)
    try:
        message = await mailbox.wait_for(email, "Confirmez votre adresse")
        await page.goto(link_in(message, api.base_url, settings.public_url))
        await page.get_by_role("button", name="Confirmer mon adresse").click()
        result = page.locator('#result[data-state="ok"]')
        await result.wait_for()
        assert email in await result.inner_text()

        assert (await api.data(RESET, {"e": email}))["requestPasswordReset"]["ok"]
        reset = await mailbox.wait_for(email, "Réinitialisation")
        await page.goto(link_in(reset, api.base_url, settings.public_url))
        await page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
        await page.get_by_label("Confirmez le mot de passe").fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Enregistrer le mot de passe").click()
        await page.locator('#result[data-state="ok"]').wait_for()
        assert await factories.log_in(api, email, NEW_PASSWORD)

        await page.goto(f"{api.base_url}/login")
        await page.get_by_label("Adresse e-mail").fill(email)
        await page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Se connecter").click()
        signed = page.locator('#result[data-state="ok"]')
        await signed.wait_for()
        assert "Jeanne" in await signed.inner_text()
        assert problems == []
    finally:
        await context.close()


async def test_deletion_and_export_pages(api, settings, mailbox, browser):
    t = await bh.team(api, settings)
    context, page, problems = await _page(browser)
    try:
        await api.data(REQUEST, {"input": {"password": PASSWORD}}, t.client_token)
        message = await mailbox.wait_for(t.client_email, "Confirmez la suppression")
        await page.goto(link_in(message, api.base_url, settings.public_url))
        await page.get_by_role("button", name="Confirmer la suppression").click()
        done = page.locator('#result[data-state="ok"]')
        await done.wait_for()
        assert "sera supprimé le" in await done.inner_text()

        scheduled = await mailbox.wait_for(t.client_email, "Suppression de votre compte programmée")
        await page.goto(link_in(scheduled, api.base_url, settings.public_url))
        await page.get_by_label("Adresse e-mail").fill(t.client_email)
        await page.get_by_label("Mot de passe").fill(PASSWORD)
        await page.get_by_role("button", name="Se connecter").click()
        await page.get_by_role("button", name="Annuler la suppression").click()
        cancelled = page.locator('#result[data-state="ok"]')
        await cancelled.wait_for()
        assert "reste ouvert" in await cancelled.inner_text()
        assert (await Client.get(id=t.client_id)).erased_at is None

        asked = "mutation { requestDataExport { userErrors { code } } }"
        assert (await api.data(asked, token=t.client_token))["requestDataExport"][
            "userErrors"
        ] == []
        ready = await mailbox.wait_for(
            t.client_email, "Votre export de données est prêt", timeout=15
        )
        await page.goto(link_in(ready, api.base_url, settings.public_url))
        link = page.get_by_role("link", name="Télécharger l’archive (ZIP)")
        await link.wait_for()
        href = await link.get_attribute("href")
        assert href and "/exports/" in href and "signature=" in href
        assert problems == []
    finally:
        await context.close()
