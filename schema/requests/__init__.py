"""Change requests: households ask (extra visit, new slot, cancellation…), the agency or its
rules decide.

What the API looks like for this domain; the same folder name in schema/, resolvers/,
models/ and tests/.
"""
