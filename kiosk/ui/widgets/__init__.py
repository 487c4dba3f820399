"""Reusable kiosk widgets; each module's KV rules sit in a .kv file of the same name beside it."""
