"""Partners (issue 18): applications and their API keys."""
