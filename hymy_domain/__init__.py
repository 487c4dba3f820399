"""Domain rules and facts the kiosk, the sync agent and the central share (pure: no I/O, no
third-party imports; each of the three packages imports it, it imports none of them).

- `hymy_domain.facts`: the shared facts, each defined once: the id and ticket patterns,
  ratings, `Localized`, printer and storage states, the central config's file name.
- `hymy_domain.redaction`: personal data out of free text; the kiosk redacts every comment
  before it is stored, and the central again at ingest (an old kiosk may run an older rule).
- `hymy_domain.site_message`: the rule for a site's "You said, we did" message (length, one
  paragraph, no personal data), checked by the central and again by the kiosk.
"""
