"""Demo data: the demo agency, its people and visits, its help centre (idempotent, French)."""
