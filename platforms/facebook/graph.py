"""The Graph API client both Meta connectors use: facebook-sdk, with `appsecret_proof`.

Meta requires `appsecret_proof` (HMAC-SHA256 of the access token, keyed with the app secret)
on every call when the app has "Require App Secret" switched on, and recommends it always;
facebook-sdk 3.1 cannot send it. `ProvedGraphAPI.request` adds it to every request, since
every SDK method (`get_object`, `put_comment`, `delete_object`) goes through `request`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import facebook


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """Meta's proof that a call comes from the app: hex HMAC-SHA256 of the token."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


class ProvedGraphAPI(facebook.GraphAPI):
    """facebook-sdk's client, sending `appsecret_proof` with every call when it has one."""

    def __init__(self, *args: Any, proof: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proof = proof

    def request(
        self,
        path: str,
        args: dict[str, Any] | None = None,
        post_args: dict[str, Any] | None = None,
        files: Any = None,
        method: str | None = None,
    ) -> Any:
        """`GraphAPI.request`, with the proof beside the token (query or form, as the SDK)."""
        if self.proof:
            if post_args is not None:
                post_args = {**post_args, "appsecret_proof": self.proof}
            else:
                args = {**(args or {}), "appsecret_proof": self.proof}
        return super().request(path, args=args, post_args=post_args, files=files, method=method)
