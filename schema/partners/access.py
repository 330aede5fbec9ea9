"""What a partner API key may reach: its scopes, checked once per operation.

A key reads as staff of its agency (resolvers/partners/keys.py), so every resolver's own
tenant check applies; on top of it, before anything runs, each root field of the
operation must be named below under one of the key's scopes. Any other root field (`me`,
`logIn`, password and account mutations, staff-only mutations, `node`) is refused to a
key, whatever its scopes. A new root field is closed to keys until it is listed here.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from models.partners import PartnerScope
from schema.engine.walker import chosen_operation

S = PartnerScope
# (operation type, root field) -> the scope that opens it.
ROOT_FIELDS: dict[tuple[str, str], PartnerScope] = {
    ("query", "serviceTypes"): S.VISITS_READ,
    ("query", "interventions"): S.VISITS_READ,
    ("query", "intervention"): S.VISITS_READ,
    ("query", "interventionEventsCursor"): S.VISITS_READ,
    ("subscription", "interventionEvents"): S.VISITS_READ,
    ("query", "invoices"): S.INVOICES_READ,
    ("query", "invoice"): S.INVOICES_READ,
    ("query", "paymentStatement"): S.INVOICES_READ,
    ("query", "taxCertificate"): S.INVOICES_READ,
    ("subscription", "billingEvents"): S.INVOICES_READ,
    ("query", "clients"): S.HOUSEHOLDS_READ,
    ("query", "clientHousehold"): S.HOUSEHOLDS_READ,
    ("query", "absences"): S.HOUSEHOLDS_READ,
    ("query", "pendingChangeRequests"): S.REQUESTS_READ,
    ("subscription", "requestEvents"): S.REQUESTS_READ,
    ("mutation", "reviewChangeRequest"): S.REQUESTS_WRITE,
    # The application's own webhooks (docs/webhooks.md); resolvers/partners/webhooks.py
    # keeps a key to its own application.
    ("query", "webhookEndpoints"): S.WEBHOOKS_WRITE,
    ("query", "webhookDeliveries"): S.WEBHOOKS_WRITE,
    ("mutation", "subscribeWebhook"): S.WEBHOOKS_WRITE,
    ("mutation", "updateWebhook"): S.WEBHOOKS_WRITE,
    ("mutation", "deleteWebhook"): S.WEBHOOKS_WRITE,
    ("mutation", "rotateWebhookSecret"): S.WEBHOOKS_WRITE,
    ("mutation", "replayWebhook"): S.WEBHOOKS_WRITE,
}
# Open to every key: what any GraphQL client asks of the schema itself.
ALWAYS = frozenset({"__typename", "__schema", "__type"})


def root_fields(document: DocumentNode, operation_name: str | None) -> tuple[str, list[str]]:
    """The operation's type and the names of its root fields, through fragments."""
    operation = chosen_operation(document, operation_name)
    if operation is None:
        return "query", []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names: list[str] = []
    seen: set[str] = set()
    pending: list[SelectionSetNode] = [operation.selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.append(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    pending.append(fragment.selection_set)
    return operation.operation.value, names


def refusal(operation_type: str, names: list[str], scopes: frozenset[PartnerScope]) -> str | None:
    """The first root field the scopes do not open, or None."""
    for name in names:
        if name in ALWAYS:
            continue
        needed = ROOT_FIELDS.get((operation_type, name))
        if needed is None or needed not in scopes:
            return name
    return None


def _forbidden(operation_type: str, name: str) -> GraphQLError:
    needed = ROOT_FIELDS.get((operation_type, name))
    message = (
        f"This API key's scopes do not include `{needed.value}`, needed for `{name}`."
        if needed is not None
        else f"`{name}` is not open to API keys."
    )
    extensions: dict[str, Any] = {"code": "FORBIDDEN"}
    if needed is not None:
        extensions["requiredScope"] = needed.value
    return GraphQLError(message, extensions=extensions)


class PartnerAccess(SchemaExtension):
    """Refuses, after validation and before execution, what a key's scopes do not open.

    Runs after QueryLimits (which parses and validates): a document it refused is left
    alone. It is an extension before the planner (schema/__init__.py), so a planned
    document is refused the same way.
    """

    def on_validate(self) -> None:  # type: ignore[override]  # acts on entering only
        ec = self.execution_context
        viewer = getattr(ec.context, "maybe_viewer", None)
        document = ec.graphql_document
        if (
            viewer is not None
            and viewer.api_key_id is not None
            and document is not None
            and not ec.pre_execution_errors
        ):
            operation_type, names = root_fields(document, ec.operation_name)
            refused = refusal(operation_type, names, viewer.scopes)
            if refused is not None:
                ec.pre_execution_errors = [_forbidden(operation_type, refused)]
