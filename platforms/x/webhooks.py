"""X webhooks: the CRC challenge and signed deliveries (Account Activity and X Activity).

Both are signed with the app's consumer secret: the challenge by answering it, a delivery
by its `x-twitter-webhooks-signature` header, checked before the body is read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from platforms.base import PayloadError, WebhookReply, WebhookRequest
from platforms.parsing import read_delivery
from platforms.x.payloads import contacts_from_delivery


def answer_webhook(
    request: WebhookRequest, secret: bytes, *, connector: str, org: str
) -> WebhookReply:
    """The answer to one webhook call, with the contacts of a good delivery."""
    if request.method == "GET":
        token = request.query.get("crc_token", "")
        if not token:
            return WebhookReply(400, "crc_token missing")
        digest = hmac.new(secret, token.encode(), hashlib.sha256).digest()
        body = json.dumps({"response_token": "sha256=" + base64.b64encode(digest).decode()})
        return WebhookReply(200, body, media_type="application/json")
    if request.method != "POST":
        return WebhookReply(405, "GET or POST only")
    given = request.headers.get("x-twitter-webhooks-signature", "").strip()
    expected = (
        "sha256="
        + base64.b64encode(hmac.new(secret, request.body, hashlib.sha256).digest()).decode()
    )
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        return WebhookReply(403, "missing or wrong x-twitter-webhooks-signature")
    # Signed, so from X: anything unreadable is answered 400 with the reason and nothing
    # of it is stored (a 500 would only make X send it again).
    try:
        contacts = contacts_from_delivery(connector, org, read_delivery(request.body))
    except PayloadError as exc:
        return WebhookReply(400, str(exc))
    except (TypeError, AttributeError, ValueError, KeyError) as exc:
        return WebhookReply(400, f"unexpected delivery shape ({type(exc).__name__})")
    return WebhookReply(200, "ok", contacts=tuple(contacts))
