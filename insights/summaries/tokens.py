"""Signed unsubscribe tokens: the user id, signed with the secret key and a salt of their own.

The token carries no timestamp on purpose: an unsubscribe link in an old email must keep
working (RFC 8058 asks senders to honour it), and the same token in the preview and in the
sent email keeps the preview exactly what is sent.
"""

from __future__ import annotations

from django.core import signing

SALT = "insights.summaries.unsubscribe"


class InvalidToken(Exception):
    pass


def unsubscribe_token(user_id: int) -> str:
    return signing.Signer(salt=SALT).sign(str(user_id))


def user_id_from_token(token: str) -> int:
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature as exc:
        raise InvalidToken("This unsubscribe link is not valid.") from exc
    if not value.isdigit():
        raise InvalidToken("This unsubscribe link is not valid.")
    return int(value)
