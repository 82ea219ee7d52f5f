"""Signatures on outgoing status callbacks, two ways so that existing receivers work unchanged:

- `X-Twilio-Signature`: what twilio's `RequestValidator` checks (HMAC-SHA1, account auth token);
- Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`; HMAC-SHA256,
  the account's `whsec_…` secret)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

WHSEC_PREFIX = "whsec_"


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Base64 HMAC-SHA1, keyed by the auth token, of the full URL (query string included)
    followed by every POST parameter's name and value, sorted by name."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def webhook_secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret: the base64 after the prefix, decoded the way the
    reference `standardwebhooks` library does it (lenient, padding added)."""
    encoded = secret.removeprefix(WHSEC_PREFIX)
    key = base64.b64decode(encoded + "==")
    if not key:
        raise ValueError("empty webhook secret")
    return key


def standard_webhooks_signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    signed = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(webhook_secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def standard_webhooks_headers(
    secret: str, msg_id: str, timestamp: int, body: str
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body` sent at `timestamp` (Unix seconds)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_webhooks_signature(secret, msg_id, timestamp, body),
    }
