"""The central's HTTP API: one router per resource."""
