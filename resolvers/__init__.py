"""Use cases, one module per domain. They return models or plain data, never schema types."""
