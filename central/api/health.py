"""GET /healthz: the service and its database answer."""

from fastapi import APIRouter
from sqlalchemy import text

from central.api.deps import Db

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(db: Db) -> dict[str, str]:
    """The central is up and its database answers."""
    db.execute(text("SELECT 1"))
    return {"status": "ok"}
