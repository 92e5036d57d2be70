"""One Jinja2 environment for every page: autoescaped, strict about undefined names, and answered with
strict security headers (no inline script or style: scripts and styles come from ``/moot/static``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

TEMPLATES = Environment(
    loader=PackageLoader("moot.pages", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

STATIC_PREFIX = "/moot/static"


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    """The pages' CSP; ``form_targets`` are further origins a form may lead to (a form's redirect is
    checked against ``form-action`` too, so a join form that ends at the video provider names it)."""
    forms = " ".join(["'self'", *form_targets])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; form-action {forms}; frame-ancestors 'none'; base-uri 'none'"
    )


def security_headers(form_targets: Iterable[str] = ()) -> dict[str, str]:
    return {
        "content-security-policy": content_security_policy(form_targets),
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cache-control": "no-store",
    }


def render(
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    form_targets: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(static=STATIC_PREFIX, **context)
    return HTMLResponse(
        html, status_code=status, headers={**security_headers(form_targets), **(headers or {})}
    )


def redirect(url: str, status: int = 303) -> RedirectResponse:
    return RedirectResponse(
        url, status_code=status, headers={"cache-control": "no-store", "referrer-policy": "no-referrer"}
    )


STATIC_ROUTE = Mount(STATIC_PREFIX, app=StaticFiles(packages=[("moot.pages", "static")]), name="static")
