"""Tortoise models, one module per domain. Nothing here imports the rest of Passage."""

MODEL_MODULES = [
    "models.accounts",
    "models.agencies",
    "models.security",
    "models.outbox",
    "models.interventions",
    "models.events",
    "models.ratings",
    "models.billing",
    "models.tax_credit",
    "models.mandates",
    "models.messages",
    "models.help",
    "models.selfservice",
    "models.contact",
    "models.privacy",
    # Care beyond the visit (issue 19).
    "models.care",
    "models.claims",
    "models.callbacks",
    "models.anomalies",
    "models.urssaf",
    # Partners: applications and API keys (issue 18).
    "models.partners",
    "models.webhooks",
]
