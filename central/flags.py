"""Why an event is kept apart: the values of `events.flag` (contract 5), set at ingest.

An event has at most one flag, the first that applies in this order:
- `time-implausible`: its time could not be corrected (an earlier boot, or a monotonic time
  after the batch's) and is implausible (before 2024 or after its arrival), or the correction
  itself gives a time before 2024 (a batch's monotonic clock of years). It is stored but NOT
  counted in the rollups; reports leave it out unless asked.
- `service-point-unknown`: a service point the site never had (neither active nor retired).
- `reason-unknown`: a follow-up reason the site never had.
- `reason-not-for-rating`: a reason the site has, but does not offer for this rating.

The last three are counted in the rollups as usual; reports label their buckets with the state
the site definition gives them. Retired service points and reasons are not flagged at all: an
event recorded while they were offered is an ordinary event.
"""

from __future__ import annotations

TIME_IMPLAUSIBLE = "time-implausible"
SERVICE_POINT_UNKNOWN = "service-point-unknown"
REASON_UNKNOWN = "reason-unknown"
REASON_NOT_FOR_RATING = "reason-not-for-rating"

LEFT_OUT_OF_ROLLUPS = frozenset({TIME_IMPLAUSIBLE})


def counted_in_rollups(flag: str | None) -> bool:
    """Whether an event with this flag is added to the rollups."""
    return flag not in LEFT_OUT_OF_ROLLUPS
