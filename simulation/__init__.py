"""`passage simulate`: the demo agency's day, played through the public API over HTTP."""

from simulation.day import Report, simulate
from simulation.phone import GraphQLFailure, wait_until_ready

__all__ = ["GraphQLFailure", "Report", "simulate", "wait_until_ready"]
