"""agency."""
