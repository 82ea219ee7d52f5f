"""Pure rules: no I/O. Statuses and transitions, validation, policies and evaluation."""
