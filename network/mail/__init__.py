"""Outgoing email: a transactional outbox and the worker that delivers it."""
