"""Care beyond the visit: damage claims, premium call-backs, the agency's care settings.

What the API looks like for this domain; the same folder name in schema/, resolvers/,
models/ and tests/.
"""
