"""Every domain holding a household's personal data, each registering its exporter and
eraser. A new domain adds a module here and one import line below."""

from resolvers.privacy.domains import (  # noqa: F401
    account,
    billing,
    claims,
    household,
    messages,
    ratings,
    requests,
    urssaf,
    visits,
)
