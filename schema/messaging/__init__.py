"""Messaging: conversations between a household and its agency, attachments, the reply promise.

What the API looks like for this domain; the same folder name in schema/, resolvers/,
models/ and tests/.
"""
