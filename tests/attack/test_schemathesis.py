"""schemathesis in `make test`: a few derandomized cases of every operation, as a client.

The full budget (client, worker and admin, more cases, both modes) is `make attack`'s
`schemathesis` family (tests/attack/long_run.py).
"""

from __future__ import annotations

import time

from schema import schema
from tests.attack.schemathesis_run import roles, run
from tests.factories import office

BUDGET = {"positive": 3}


async def test_every_operation_answers_a_client_without_server_errors(api, settings, mailbox):
    team = await office(api, settings, mailbox)
    started = time.perf_counter()
    tally = await run(api, await roles(api, {"client": team.client}), BUDGET)
    print(f"\n{tally.tried} cases in {time.perf_counter() - started:.1f} s: {tally.line()}")
    graphql = schema._schema
    assert graphql.query_type and graphql.mutation_type
    every = {f"Query.{name}" for name in graphql.query_type.fields} | {
        f"Mutation.{name}" for name in graphql.mutation_type.fields
    }
    assert tally.operations == every
    assert tally.outcomes["answered"] > 0  # the cases reach the resolvers, not only validation
    assert not tally.failed, "\n".join(tally.failed[:20])
