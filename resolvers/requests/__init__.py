"""Change requests: households ask (extra visit, new slot, cancellation…), the agency or its
rules decide.

What the API does for this domain; the same folder name in schema/, resolvers/, models/ and
tests/.
"""
