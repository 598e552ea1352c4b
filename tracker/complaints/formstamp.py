"""The public complaint form's signed time stamp: when the form was shown, for which unit,
signed with the app's secret so that a script cannot forge an older one. Pure: the caller
passes the secret and the clock; ``rules.form_time_problem`` judges the age."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "tracker.complaints.form-time"


def stamp(secret: str, unit_id: int, now: float) -> str:
    return str(URLSafeSerializer(secret, salt=SALT).dumps({"u": unit_id, "t": round(now, 3)}))


def shown_at(secret: str, token: str, unit_id: int) -> float | None:
    """When the form carrying ``token`` was shown; None when the token was not signed here or
    belongs to another unit's form."""
    try:
        data = URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != unit_id:
        return None
    value = data.get("t")
    return float(value) if isinstance(value, int | float) else None
