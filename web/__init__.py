"""HTTP and websocket plumbing: routes and their handlers, the GraphQL view, middleware,
request body reading, uvicorn and interpreter tuning. Only the composition root (app.py)
and the command line import it."""
