"""How a message leaves: SMTP (or the log) for e-mail, an HTTP gateway (or the log) for SMS."""
