"""Security headers on every response.

The Content-Security-Policy allows no inline script or style: every script and stylesheet is a
static file of our own, so injected markup cannot run.
"""

from __future__ import annotations

from flask import Flask, Response

from tracker.extensions import settings as tracker_settings

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    production = tracker_settings(app).production

    @app.after_request
    def _add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
