"""Everything a household, worker or staff member is told: texts (templates), routing by
contact preferences, digests, the outbox and its e-mail and SMS transports.
"""
