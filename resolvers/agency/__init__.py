"""The agency: its legal identity, opening hours, self-service policy, staff and workers,
services offered.

What the API does for this domain; the same folder name in schema/, resolvers/, models/ and
tests/.
"""
