"""`/webhooks/{platform}`: hand each call to the connectors of that type, store, answer.

The platform rules (Meta's handshake and `X-Hub-Signature-256`, X's CRC and
`x-twitter-webhooks-signature`) live in each connector's `handle_webhook`; this layer only
passes the raw request in, stores the contacts a good delivery carried (idempotently, so a
replayed delivery stores nothing new), answers at once, and leaves moderation to a
background task. A refused or malformed delivery stores nothing. A connector whose webhook
has no secret to check calls with (`webhook_unserved`) is not served at all: 404.
"""

from __future__ import annotations

import structlog
from fastapi import APIRouter, BackgroundTasks, Request, Response
from starlette.concurrency import run_in_threadpool

from bot.pipeline import Pipeline
from platforms.base import Capability, WebhookReply, WebhookRequest

log = structlog.get_logger(__name__)

router = APIRouter()


@router.api_route("/webhooks/{platform}", methods=["GET", "POST"], include_in_schema=False)
async def webhook(platform: str, request: Request, background: BackgroundTasks) -> Response:
    """Verify or receive one webhook call for every connector of type `platform`."""
    pipeline: Pipeline = request.app.state.pipeline
    targets = [
        (name, connector)
        for name, connector in pipeline.connectors.items()
        if connector.type_name == platform and connector.capabilities & Capability.WEBHOOK
    ]
    served = [(name, c) for name, c in targets if c.webhook_unserved() is None]
    if not served:
        if targets:
            log.warning("webhook_not_served", platform=platform, why="no secret configured")
        return Response(f"no {platform} connector takes webhooks here", 404)
    targets = served
    hook = WebhookRequest(
        method=request.method,
        query=dict(request.query_params),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=await request.body(),  # the raw bytes: signatures are over exactly these
    )
    replies = [(name, connector.handle_webhook(hook)) for name, connector in targets]
    if request.method == "GET":
        chosen = next((r for _, r in replies if r.status == 200), replies[0][1])
        return _answer(chosen)
    refused = [r for _, r in replies if r.status != 200]
    if refused:
        worst = min(refused, key=lambda r: {403: 0, 400: 1}.get(r.status, 2))
        log.warning("webhook_refused", platform=platform, status=worst.status, why=worst.body)
        return _answer(worst)
    stored = 0
    for name, reply in replies:
        if reply.contacts:
            stored += await run_in_threadpool(pipeline.store_contacts, name, reply.contacts)
    ignored = unclaimed([reply for _, reply in replies])
    if ignored:
        counts = request.app.state.webhook_ignored
        counts.update(f"{platform}:{account}" for account in ignored)
        log.warning(
            "webhook_entries_ignored",
            platform=platform,
            count=len(ignored),
            accounts=sorted(set(ignored)),
            why="no connector here is configured for these accounts",
        )
    log.info("webhook_received", platform=platform, stored=stored)
    if stored:
        background.add_task(request.app.state.moderation.run)
    reply = replies[0][1]
    if ignored:
        reply = WebhookReply(
            200, f"ok; ignored {len(ignored)} entries for accounts not configured here"
        )
    return _answer(reply)


def unclaimed(replies: list[WebhookReply]) -> list[str]:
    """The entries no connector took: for an account (a Page) none of them is configured for.

    Each connector lists the account of every entry it left (`foreign`); an entry for Page B
    is left by A's connector but taken by B's, so only what every connector left counts.
    """
    if not replies:
        return []
    first, *others = replies
    return [account for account in first.foreign if all(account in r.foreign for r in others)]


def _answer(reply: WebhookReply) -> Response:
    return Response(reply.body, reply.status, media_type=reply.media_type)
