"""Render the nginx site file (``deploy/nginx/zi-tracker.conf``) for this installation.

    python -m deploy.nginx.render --server-name zi.example.go.id > zi-tracker.conf

The body limit comes from the app's own settings (``MAX_UPLOAD_MB`` in the environment), so nginx
and the app refuse the same uploads. The tests render the same template with free ports.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

from config import MB, Settings

TEMPLATE = Path(__file__).resolve().parent / "zi-tracker.conf"
FORM_FIELDS_MB = 1  # the app's MAX_CONTENT_LENGTH allows this much beside the file (create_app)


def render(
    *, listen: str, upstream: str | Sequence[str], server_name: str, max_upload_bytes: int
) -> str:
    """The site file with every placeholder filled in. Raises KeyError for an unknown one.
    ``upstream`` is one gunicorn's address or several (nginx spreads requests over them)."""
    servers = [upstream] if isinstance(upstream, str) else list(upstream)
    values = {
        "listen": listen,
        "upstream": ";\n    server ".join(servers),
        "server_name": server_name,
        "max_body": f"{max_upload_bytes // MB + FORM_FIELDS_MB}m",
    }
    return re.sub(r"\{\{ (\w+) \}\}", lambda match: values[match.group(1)], TEMPLATE.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--listen", default="80")
    parser.add_argument(
        "--upstream",
        action="append",
        help="gunicorn's bind address; repeat for several app servers (default 127.0.0.1:8000)",
    )
    args = parser.parse_args()
    settings = Settings.from_env()
    print(
        render(
            listen=args.listen,
            upstream=args.upstream or ["127.0.0.1:8000"],
            server_name=args.server_name,
            max_upload_bytes=settings.max_upload_bytes,
        ),
        end="",
    )


if __name__ == "__main__":
    main()
