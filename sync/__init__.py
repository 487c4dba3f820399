"""Hymy sync agent: uploads the kiosk outbox to the central API (wire format in sync.protocol)."""
