"""``/s/{meetingId}?zak=...``: the host's start link. Opening it with a valid ZAK starts the meeting.

A placeholder page for now (the real start page and host view come with the pages); errors are pages too,
since a browser opens this link.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from moot.domain.errors import InvalidZak, MeetingNotFound
from moot.services import lifecycle
from moot.services.context import Deps


def _page(title: str, text: str, status: int = 200) -> Response:
    title, text = escape(title), escape(text)
    html = (
        f'<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}</title></head>\n'
        f"<body>\n<h1>{title}</h1>\n<p>{text}</p>\n</body>\n</html>\n"
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


async def start_page(request: Request) -> Response:
    deps: Deps = request.app.state.deps
    try:
        meeting = await lifecycle.start_from_link(
            deps, request.path_params["meetingId"], request.query_params.get("zak", "")
        )
    except InvalidZak as exc:
        return _page("Cannot start this meeting", exc.message, 401)
    except MeetingNotFound:
        return _page("Cannot start this meeting", "This meeting ID is not valid.", 404)
    return _page(f"{meeting.topic} has started", "You are the host. (The host view is not built yet.)")


ROUTES = [Route("/s/{meetingId}", start_page, methods=["GET"], name="startMeeting")]
