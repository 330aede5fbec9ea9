"""The agency: its legal identity, opening hours, self-service policy, staff and workers,
services offered.

What is stored for this domain; the same folder name in schema/, resolvers/, models/ and
tests/.
"""
