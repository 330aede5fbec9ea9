"""The help centre: articles and FAQ, news, webinars, personalised tips.

What the API looks like for this domain; the same folder name in schema/, resolvers/,
models/ and tests/.
"""
