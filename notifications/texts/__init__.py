"""The texts of each domain's notices, rendered from notifications/templates/."""
