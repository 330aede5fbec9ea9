"""Households: notes and standing preferences, specific needs, absences, contact preferences.

What is stored for this domain; the same folder name in schema/, resolvers/, models/ and
tests/.
"""
