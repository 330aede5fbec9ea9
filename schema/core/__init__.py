"""What every domain's schema shares: the request context, global ids, Node and connections,
loaders.
"""
