"""Hymy sync agent (`hymy-sync`): uploads the kiosk's outbox to the central exactly once, sends
the heartbeat, pulls the kiosk's config and holds the device's enrolment.

`sync.protocol` is the one definition of what crosses the network (the wire format and the
answers); the central imports it too. The agent reads the outbox through `kiosk.outbox` and
imports nothing of `central`. Its loop and threads: docs/architecture.md.
"""
