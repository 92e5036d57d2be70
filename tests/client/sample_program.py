"""A user's program written against the SDK; ``test_typing`` runs ``mypy --strict`` on it."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

from moot.client import (
    PKCE,
    AsyncClient,
    Client,
    Meeting,
    MeetingNotFound,
    RateLimited,
    RetryPolicy,
    Token,
    ZoomAPIError,
    authorization_url,
    exchange_code,
    parse_time,
)


def plan_week(client: Client) -> list[int]:
    start = datetime(2030, 6, 9, 17, 0, tzinfo=UTC)
    ids: list[int] = []
    for day in range(5):
        meeting: Meeting = client.meetings.create(
            topic=f"Stand-up {day}",
            type=2,
            start_time=start + timedelta(days=day),
            duration=15,
            settings={"waiting_room": True, "audio": "voip"},
        )
        ids.append(meeting["id"])
    client.meetings.update(ids[0], agenda="Kick-off", start_time="2030-06-09T18:00:00Z")
    return ids


def report(client: Client) -> None:
    for item in client.meetings.list(type="upcoming", page_size=100):
        when = parse_time(item["start_time"]) if "start_time" in item else None
        print(item["id"], item.get("topic", ""), when)
    for page in client.meetings.list().pages():
        print(page.get("total_records"))
    later = client.meetings.list(page_size=30, page_number=2)
    print([m["id"] for m in later], later.total_records, later.page_count, later.page_number)
    me = client.users.get()
    print(me.get("email"), [u.get("email") for u in client.users.list(status="active")])


def cleanup(client: Client, meeting_id: int) -> None:
    try:
        client.meetings.delete(meeting_id)
    except MeetingNotFound as missing:
        print("already gone:", missing.tracking_id)
    except RateLimited as limited:
        print("retry in", limited.retry_after)
    except ZoomAPIError as error:
        print(error.status_code, error.code, error.message, [e["field"] for e in error.errors])


async def register(meeting_id: int) -> str:
    async with AsyncClient(
        account_id=os.environ["MOOT_ACCOUNT_ID"],
        client_id=os.environ["MOOT_CLIENT_ID"],
        client_secret=os.environ["MOOT_CLIENT_SECRET"],
        base_url="http://127.0.0.1:8000",
    ) as zoom:
        created = await zoom.meetings.registrants.create(
            meeting_id, first_name="Ada", email="ada@example.com"
        )
        await zoom.meetings.registrants.update_status(
            meeting_id, "approve", [{"id": created["registrant_id"]}]
        )
        emails = [r["email"] async for r in zoom.meetings.registrants.list(meeting_id)]
        invitation = await zoom.meetings.invitation(meeting_id)
        return invitation["invitation"] + ", ".join(emails)


def sign_in(code_from_redirect: str, save: dict[str, Token]) -> Client:
    pkce = PKCE.new()
    redirect = "http://127.0.0.1:8765/callback"
    print(authorization_url(client_id="cid", redirect_uri=redirect, state="s", pkce=pkce))
    token: Token = exchange_code(
        client_id="cid",
        client_secret="secret",
        code=code_from_redirect,
        redirect_uri=redirect,
        code_verifier=pkce.verifier,
    )
    return Client(
        access_token=token.access_token,
        refresh_token=token.refresh_token,
        token_expires_at=token.expires_at,
        client_id="cid",
        client_secret="secret",
        on_token_refresh=lambda renewed: save.update(latest=renewed),
    )


def main() -> None:
    with Client(
        account_id=os.environ["MOOT_ACCOUNT_ID"],
        client_id=os.environ["MOOT_CLIENT_ID"],
        client_secret=os.environ["MOOT_CLIENT_SECRET"],
        base_url=os.environ.get("MOOT_BASE_URL", "http://127.0.0.1:8000"),
        retry=RetryPolicy(max_retries=5),
    ) as client:
        ids = plan_week(client)
        report(client)
        print(asyncio.run(register(ids[0])))
        cleanup(client, ids[-1])


if __name__ == "__main__":
    main()
