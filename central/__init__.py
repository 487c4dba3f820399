"""Hymy central: ingest, device registry, rollups, reports and the dashboard."""
