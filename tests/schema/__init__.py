"""GraphQL API tests over HTTP against the ASGI app, on SQLite and PostgreSQL."""
