"""Domain rules the kiosk and the central share (pure: no I/O, no third-party imports).

- `hymy_domain.redaction`: personal data out of free text; the kiosk redacts every comment
  before it is stored, and the central again at ingest (an old kiosk may run an older rule).
"""
