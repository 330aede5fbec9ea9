"""households."""
