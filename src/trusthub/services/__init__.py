"""Use cases: one transaction each (the caller commits), model + domain + outbox rows."""
