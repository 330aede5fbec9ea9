"""Households' tests work in an agency of their own, whose policy they may change."""

from __future__ import annotations

import pytest

from tests.factories import Office


@pytest.fixture
def team(office: Office) -> Office:
    """A household's team: the self-service office (see tests/conftest.py)."""
    return office
