"""What is pushed live: the event bus over broadcaster and its channels."""
