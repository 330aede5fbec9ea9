"""A household's rights over its data (RGPD art. 15-20), and how long Passage keeps it.

What the API looks like for this domain; the same folder name in schema/, resolvers/,
models/ and tests/.
"""
