"""Pure rules of the URSSAF exchange: settings, what the audit keeps, the advance's steps,
and the payload formats URSSAF asks for."""

from __future__ import annotations

from datetime import date

import pytest

from models.enums import AdvanceStatus as A
from resolvers.billing.urssaf.moves import path
from services.config import ConfigError, Settings
from services.urssaf import payloads
from services.urssaf.masking import mask, masked_text

SECRET = "a-secret-key-that-is-long-enough-for-production-0123456789"


def test_urssaf_settings_are_checked():
    with pytest.raises(ConfigError, match="URSSAF_CLIENT_ID"):
        Settings(urssaf_url="https://api-edi.urssaf.fr").validate()
    with pytest.raises(ConfigError, match="http"):
        Settings(urssaf_url="ftp://x", urssaf_client_id="a", urssaf_client_secret="b").validate()
    production = Settings(
        environment="production",
        secret_key=SECRET,
        public_url="https://passage.example",
        urssaf_client_id="a",
        urssaf_client_secret="b",
    )
    with pytest.raises(ConfigError, match="https"):
        production.with_(urssaf_url="http://api.urssaf.fr").validate()
    production.with_(urssaf_url="https://api.urssaf.fr").validate()
    production.with_(urssaf_url="http://127.0.0.1:8090").validate()  # a stand-in on loopback
    assert "tres-secret" not in repr(production.with_(urssaf_client_secret="tres-secret"))


def test_the_audit_keeps_no_secret_and_no_whole_iban():
    body = {
        "client_secret": "s3cret",
        "coordonneeBancaire": {"iban": "FR7630006000011234567890189", "bic": "BNPAFRPPXXX"},
        "errors": [{"message": "IBAN FR76 3000 6000 0112 3456 7890 189 refusé"}],
    }
    masked = mask(body)
    assert masked["client_secret"] == "***"
    assert masked["coordonneeBancaire"]["iban"] == "FR76" + "*" * 19 + "0189"
    text = masked_text(body)
    assert "s3cret" not in text and "3000600001123456789" not in text
    assert "30006000 0112" not in text and "BNPAFRPPXXX" in text


@pytest.mark.parametrize(
    ("current", "target", "steps"),
    [
        (A.TO_SEND, A.SENT, [A.SENT]),
        (A.SENT, A.PAID, [A.VALIDATED, A.PAID]),
        (A.AWAITING_VALIDATION, A.PAID, [A.VALIDATED, A.PAID]),
        (A.AWAITING_VALIDATION, A.CONTESTED, [A.VALIDATED, A.CONTESTED]),
        (A.VALIDATED, A.VALIDATED, []),
        (A.PAID, A.CANCELLED, []),  # nothing leads back from a paid advance
        (A.REFUSED, A.SENT, []),  # only staff send a refused advance again
    ],
)
def test_a_reported_status_is_reached_by_allowed_steps(current, target, steps):
    assert path(current, target) == steps


def test_birth_place_and_amounts_in_urssaf_formats():
    assert payloads.birth_department("75056") == "075"
    assert payloads.birth_department("2A004") == "02A"
    assert payloads.birth_department("97411") == "974"
    assert payloads.birth_commune("75056") == "056"
    assert payloads.birth_commune("97411") == "011"  # URSSAF's documented workaround
    line = payloads.ServiceLine(date(2026, 10, 6), 100, 5000, 500, 5500, "ENTRETIEN_MAISON")
    body = payloads.payment_request(
        payloads.RequestFacts(
            "11000000000104", date(1970, 1, 1), "812", "F1", date(2026, 11, 2), [line]
        )
    )
    [service] = body["inputPrestations"]
    assert (service["quantite"], service["mntUnitaireTTC"], service["mntPrestationTTC"]) == (
        1.67,
        32.934,
        55.0,
    )
    assert abs(service["quantite"] * service["mntUnitaireTTC"] - 55.0) < 0.01
    assert service["codeNature"] == "10" and body["mntFactureTTC"] == 55.0
    assert body["dateDebutEmploi"] == body["dateFinEmploi"] == "2026-10-06T00:00:00Z"
