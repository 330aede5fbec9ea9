"""Accounts: signing up and in, sessions and devices, passwords, one's own profile, the
security log.

What the API looks like for this domain; the same folder name in schema/, resolvers/,
models/ and tests/.
"""
