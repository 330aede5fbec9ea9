"""Change requests are tried in an agency of their own, whose policy they may change."""

from __future__ import annotations

import pytest

from tests.factories import Office


@pytest.fixture
def team(office: Office) -> Office:
    """The team that asks and decides: the self-service office (see tests/conftest.py)."""
    return office
