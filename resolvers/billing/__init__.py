"""Billing: invoices and credit notes, payments, tax certificates, the immediate advance
(URSSAF), mandataire mode.

What the API does for this domain; the same folder name in schema/, resolvers/, models/ and
tests/.
"""
