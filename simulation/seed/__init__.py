"""seed."""
