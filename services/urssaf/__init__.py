"""URSSAF's API Tiers de prestation (immediate advance): the client, its codes and payloads.

See docs/urssaf.md for the contract, its sources and how an agency gets credentials.
"""
