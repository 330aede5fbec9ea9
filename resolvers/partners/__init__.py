"""Partners (issue 18): applications, their API keys and what each scope allows."""
