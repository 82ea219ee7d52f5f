"""The HTTP surface browsers and GraphQL clients meet: GraphQL over HTTP media types and status
codes, batches, persisted queries, CORS and the offline GraphiQL page."""
