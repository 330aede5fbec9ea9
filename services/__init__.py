"""Rules and the outside world, with no GraphQL in them."""
