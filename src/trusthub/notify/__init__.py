"""Notifications of status changes: signed status-callback webhooks and email."""
