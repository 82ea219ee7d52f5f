"""Both signatures, checked by the libraries receivers actually use."""

from __future__ import annotations

import base64
import secrets
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError
from twilio.request_validator import RequestValidator

from trusthub.db import SessionFactory
from trusthub.models import Account
from trusthub.notify.signing import standard_webhooks_headers, twilio_signature

from ..conftest import MakeAccount

URL = "https://hooks.example.com/trusthub/status?tenant=acme&v=2"
PARAMS = {
    "Status": "REJECTED",
    "AccountSid": "AC" + "a" * 32,
    "Reasons": '[{"code":"ADDRESS","field":["address","postalCode"],"message":"Zip & city"}]',
    "PreviousStatus": "",
    "Sid": "BU" + "b" * 32,
    "OccurredAt": "2026-01-02T03:04:05.000006Z",
}
SECRETS = [
    "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode(),
    "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(),
]


def test_twilio_request_validator_accepts_the_signature() -> None:
    # given
    token = secrets.token_hex(16)

    # when
    signature = twilio_signature(token, URL, PARAMS)

    # then
    assert RequestValidator(token).validate(URL, PARAMS, signature)


def test_twilio_documented_example() -> None:
    # given: the example of Twilio's webhook security documentation
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }

    # when
    signature = twilio_signature("12345", url, params)

    # then
    assert signature == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert RequestValidator("12345").validate(url, params, signature)


def test_twilio_signature_fails_for_a_changed_field_url_or_token() -> None:
    # given
    token = secrets.token_hex(16)
    signature = twilio_signature(token, URL, PARAMS)

    # when / then
    assert not RequestValidator(token).validate(URL, {**PARAMS, "Status": "APPROVED"}, signature)
    assert not RequestValidator(token).validate(URL.replace("v=2", "v=3"), PARAMS, signature)
    assert not RequestValidator(secrets.token_hex(16)).validate(URL, PARAMS, signature)


@pytest.mark.parametrize("secret", SECRETS)
def test_standard_webhooks_library_verifies_the_headers(secret: str) -> None:
    # given
    body = "Status=APPROVED&Sid=BU123&Reasons=%5B%5D"
    now = int(time.time())

    # when
    headers = standard_webhooks_headers(secret, "evt_1", now, body)

    # then
    assert headers["webhook-id"] == "evt_1"
    assert headers["webhook-timestamp"] == str(now)
    assert headers["webhook-signature"] == Webhook(secret).sign(
        "evt_1", datetime.fromtimestamp(now, UTC), body
    )
    Webhook(secret).verify(body, headers, json_parse=False)


@pytest.mark.parametrize("secret", SECRETS)
def test_standard_webhooks_rejects_a_tampered_body_or_another_secret(secret: str) -> None:
    # given
    body = "Status=APPROVED"
    headers = standard_webhooks_headers(secret, "evt_2", int(time.time()), body)

    # when / then
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify("Status=REJECTED", headers, json_parse=False)
    other = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers, json_parse=False)


def test_standard_webhooks_specification_vector() -> None:
    # given: the test vector of the Standard Webhooks specification
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'

    # when
    headers = standard_webhooks_headers(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)

    # then
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


async def test_issued_webhook_secrets_work_with_the_reference_library(
    make_account: MakeAccount, sessions: SessionFactory
) -> None:
    # given: secrets as `accounts create` issues them
    issued = [await make_account(f"tenant{i}") for i in range(12)]
    async with sessions() as s:
        stored = [await s.get(Account, a.sid) for a in issued]

    # when / then: a receiver can build a verifier from each one, and it checks our headers;
    # this needs the secret after whsec_ to be standard base64 (no "-" or "_", which the
    # reference libraries drop or refuse)
    for account in stored:
        assert account is not None
        secret = account.webhook_secret
        base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        headers = standard_webhooks_headers(secret, "evt_3", int(time.time()), "Status=APPROVED")
        Webhook(secret).verify("Status=APPROVED", headers, json_parse=False)
