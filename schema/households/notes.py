"""Notes, preferences, specific needs and access codes of a household."""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.households import notes as households
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Context, Info
from schema.core.ids import expect_id, from_global_id
from schema.engine import plans
from schema.engine.row_fields import Part, column, global_id
from schema.engine.rows import RowType


@strawberry.type
class HouseholdProfile:
    client_id: strawberry.ID
    favour_products: str = strawberry.field(description="Products to use.")
    avoid_products: str = strawberry.field(description="Products not to use.")
    preferred_slots: str
    instructions: str = strawberry.field(description="Standing instructions for the worker.")
    has_access_codes: bool
    access_codes: str | None = strawberry.field(
        description="Keys and access codes: only for staff, and for the worker on the day "
        "of one of their visits; null for everyone else, the client included."
    )
    reduced_mobility: bool
    large_family: bool
    pets: str
    allergies: str
    other_needs: str

    @strawberry.field(
        description="The number to call for urgent matters (the household's phone channel): "
        "staff of its agency only, null for anyone else."
    )
    async def urgent_phone(self, info: Info) -> str | None:
        return await households.urgent_phone_for_staff(
            info.context.viewer, from_global_id(self.client_id)[1]
        )

    @classmethod
    def from_profile(cls, p: households.Profile) -> HouseholdProfile:
        return PROFILE_ROWS.from_model(p)


@strawberry.type
class VisitBriefing:
    intervention_id: strawberry.ID
    note: str = strawberry.field(description="The client's note on this visit.")
    household: HouseholdProfile


# Declared once, for both ways of answering (schema/engine/rows.py): a profile's row is
# what the resolvers read (`households.Profile`, access codes already decrypted or null);
# a briefing's row is the visit's id and note beside its household's profile.
PROFILE_ROWS = RowType(
    HouseholdProfile,
    {
        "client_id": global_id("client_id", "Client"),
        **{
            name: column(name)
            for name in (
                "favour_products",
                "avoid_products",
                "preferred_slots",
                "instructions",
                "has_access_codes",
                "access_codes",
                "reduced_mobility",
                "large_family",
                "pets",
                "allergies",
                "other_needs",
            )
        },
    },
)
BRIEFING_ROWS = RowType(
    VisitBriefing,
    {
        "intervention_id": global_id("intervention_id", "Intervention"),
        "note": column("note"),
        "household": Part(PROFILE_ROWS),
    },
)


def _briefing_row(value: households.Briefing) -> dict[str, Any]:
    return {
        "intervention_id": value.intervention_id,
        "note": value.note,
        **PROFILE_ROWS.row_of(value.profile),
    }


async def _one_briefing(
    context: Context, columns: tuple[str, ...], intervention_id: strawberry.ID
) -> dict[str, Any] | None:
    """`visitBriefing` as a row of `BRIEFING_ROWS`, with the resolver's rules: None for a
    visit the viewer may not see (graphql-core then answers, null)."""
    found = await households.briefing(
        context.runtime, context.viewer, expect_id(intervention_id, "Intervention")
    )
    return None if found is None else _briefing_row(found)


@strawberry.input
class UpdateHouseholdProfileInput:
    """Omitted fields stay as they are; an empty string clears one."""

    favour_products: str | None = None
    avoid_products: str | None = None
    preferred_slots: str | None = None
    instructions: str | None = None
    access_codes: str | None = strawberry.field(
        default=None, description="Stored encrypted; never shown back to the client."
    )
    reduced_mobility: bool | None = None
    large_family: bool | None = None
    pets: str | None = None
    allergies: str | None = None
    other_needs: str | None = None


@strawberry.input
class SetVisitNoteInput:
    intervention_id: strawberry.ID
    note: str = strawberry.field(description="Empty removes the note.")


@strawberry.type
class HouseholdProfilePayload:
    household: HouseholdProfile | None
    user_errors: list[UserErrorType]


@strawberry.type
class VisitNotePayload:
    briefing: VisitBriefing | None
    user_errors: list[UserErrorType]


def _briefing(value: households.Briefing | None) -> VisitBriefing | None:
    return None if value is None else BRIEFING_ROWS.build(_briefing_row(value))


@strawberry.type
class HouseholdQueries:
    @strawberry.field(description="The client's own preferences and needs (CLIENT).")
    async def my_household(self, info: Info) -> HouseholdProfile:
        return HouseholdProfile.from_profile(await households.my_profile(info.context.viewer))

    @strawberry.field(description="A client's preferences, needs and codes (ADVISOR, ADMIN).")
    async def client_household(
        self, info: Info, client_id: strawberry.ID
    ) -> HouseholdProfile | None:
        found = await households.client_profile(
            info.context.runtime, info.context.viewer, expect_id(client_id, "Client")
        )
        return HouseholdProfile.from_profile(found) if found else None

    @strawberry.field(
        description="What the worker needs for a visit: note, preferences, needs, codes on the "
        "day. For the assigned worker, staff, and (without codes) the client."
    )
    async def visit_briefing(
        self, info: Info, intervention_id: strawberry.ID
    ) -> VisitBriefing | None:
        return _briefing(
            await households.briefing(
                info.context.runtime,
                info.context.viewer,
                expect_id(intervention_id, "Intervention"),
            )
        )


@strawberry.type
class HouseholdMutations:
    @strawberry.mutation(description="Changes the client's preferences and needs (CLIENT).")
    async def update_household_profile(
        self, info: Info, input: UpdateHouseholdProfileInput
    ) -> HouseholdProfilePayload:
        change = households.ProfileChange(
            favour_products=input.favour_products,
            avoid_products=input.avoid_products,
            preferred_slots=input.preferred_slots,
            instructions=input.instructions,
            access_codes=input.access_codes,
            reduced_mobility=input.reduced_mobility,
            large_family=input.large_family,
            pets=input.pets,
            allergies=input.allergies,
            other_needs=input.other_needs,
        )
        result = await households.update_profile(info.context.runtime, info.context.viewer, change)
        return HouseholdProfilePayload(
            household=HouseholdProfile.from_profile(result.profile) if result.profile else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(description="Leaves a note on a coming visit for the worker (CLIENT).")
    async def set_visit_note(self, info: Info, input: SetVisitNoteInput) -> VisitNotePayload:
        visit_id = expect_id(input.intervention_id, "Intervention")
        error = await households.set_visit_note(info.context.viewer, visit_id, input.note)
        if error is not None:
            return VisitNotePayload(briefing=None, user_errors=user_errors([error]))
        found = await households.briefing(info.context.runtime, info.context.viewer, visit_id)
        return VisitNotePayload(briefing=_briefing(found), user_errors=[])


plans.plan_object("visitBriefing", BRIEFING_ROWS, _one_briefing)
