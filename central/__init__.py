"""Hymy central (`hymy-central`): enrolment and device tokens, the exactly-once ingest of kiosk
batches with its rollups, reports, comments, retention, the fleet view, and the web console for
people (`central.web`); the API under `central.api`, the commands under `central.cli`.

Reads the wire format from `sync.protocol` and shared rules from `hymy_domain`; imports nothing
of `kiosk`. The map of the whole system: docs/architecture.md.
"""
