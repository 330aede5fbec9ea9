"""Messaging: conversations between a household and its agency, attachments, the reply promise.

What the API does for this domain; the same folder name in schema/, resolvers/, models/ and
tests/.
"""
