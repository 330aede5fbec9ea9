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
    # Cost rate limits and persisted documents (issue 18).
    "models.persisted",
]
