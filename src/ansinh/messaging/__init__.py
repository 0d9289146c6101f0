"""Outbox, dispatcher, channels and suppression list for SMS and Zalo (depends only on core)."""
