"""Partner applications, API keys and webhooks."""
