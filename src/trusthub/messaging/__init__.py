"""Broker topology, message contracts, the outbox relay and the in-process broker."""
