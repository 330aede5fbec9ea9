"""Ratings of completed visits, and the follow-ups low scores open.

What the API does for this domain; the same folder name in schema/, resolvers/, models/ and
tests/.
"""
