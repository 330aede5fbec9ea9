"""Every text a household, worker or staff member receives, one module per domain.

A use case calls `texts.<domain>.<thing>(...)` and hands the `Notice` to
notifications.notify; the e-mail layout around it is in notifications/templates/.
"""

from notifications.texts import (
    absences,
    accounts,
    billing,
    claims,
    digests,
    messaging,
    privacy,
    requests,
    visits,
)
from notifications.texts.notice import Notice

__all__ = [
    "Notice",
    "absences",
    "accounts",
    "billing",
    "claims",
    "digests",
    "messaging",
    "privacy",
    "requests",
    "visits",
]
