"""A household's rights over its data (RGPD art. 15-20) and how long Passage keeps it."""
