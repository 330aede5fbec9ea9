"""Visits: planning, check-in and check-out, corrections, weekly plans, calendar feeds,
lateness and anomalies.

What is stored for this domain; the same folder name in schema/, resolvers/, models/ and
tests/.
"""
