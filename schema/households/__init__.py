"""Households: notes and standing preferences, specific needs, absences, contact preferences.

What the API looks like for this domain; the same folder name in schema/, resolvers/,
models/ and tests/.
"""
