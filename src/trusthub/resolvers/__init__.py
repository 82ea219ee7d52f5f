"""Root Query/Mutation fields, one module per domain: parse → service → type."""
