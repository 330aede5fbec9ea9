"""Care beyond the visit: damage claims, premium call-backs, the agency's care settings.

What is stored for this domain; the same folder name in schema/, resolvers/, models/ and
tests/.
"""
