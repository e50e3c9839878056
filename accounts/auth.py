"""Token authentication: knox's, with its lookup as one constant statement and less housekeeping."""

from __future__ import annotations

from collections.abc import Sequence
from hmac import compare_digest
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from accounts.models import DeviceToken, User
from accounts.token_cache import usable_cache
from config.model_rows import model_rows
from config.prepared_sql import prepared_cursor


class _Lookup:
    """The SELECT of the tokens with a token_key joined to their users, newest first (knox's
    ``filter(token_key=...).select_related('user')`` with DeviceToken's ordering), written once
    per database vendor, and the readers that make its rows into the two models."""

    def __init__(self) -> None:
        self.tokens, self.users = model_rows(DeviceToken, "t"), model_rows(User, "u")

        def quote(name: str | None) -> str:
            return str(connection.ops.quote_name(str(name)))

        tokens, users = DeviceToken._meta, User._meta
        user_fk, key, created = (tokens.get_field(name).column for name in ("user", "token_key", "created"))
        # Every identifier comes from the models' own metadata; the one parameter is the token_key.
        self.sql = (
            f"SELECT {self.tokens.columns}, {self.users.columns} FROM {quote(tokens.db_table)} t "  # noqa: S608
            f"INNER JOIN {quote(users.db_table)} u ON u.{quote(users.pk.column)} = t.{quote(user_fk)} "
            f"WHERE t.{quote(key)} = %s ORDER BY t.{quote(created)} DESC"
        )

    def find(self, token_key: str) -> list[tuple[DeviceToken, Sequence[Any]]]:
        """The tokens with this token_key, each with its user, and the row each was made from."""
        with prepared_cursor() as cursor:
            cursor.execute(self.sql, [token_key])
            rows: Sequence[Sequence[Any]] = cursor.fetchall()
        return [(self.make(row), row) for row in rows]

    def make(self, row: Sequence[Any]) -> DeviceToken:
        """A token and its user from one row (anew each time: nothing a request changes is shared)."""
        split = len(self.tokens)
        token = self.tokens.make(row[:split])
        token.user = self.users.make(row[split:])  # as select_related does: no second query
        return token


_LOOKUPS: dict[str, _Lookup] = {}


def _lookup() -> _Lookup:
    lookup = _LOOKUPS.get(connection.vendor)
    if lookup is None:
        lookup = _LOOKUPS[connection.vendor] = _Lookup()
    return lookup


class DeviceTokenAuthentication(TokenAuthentication):
    """knox's TokenAuthentication with the same checks in the same order, reading a token and
    its user with one constant SQL statement instead of a queryset compiled on every request,
    and sweeping the user's other expired tokens only when this token's own expiry is
    refreshed (at most once per MIN_REFRESH_INTERVAL per device), not on every request.

    The ORM's compiling of knox's SELECT cost more than the database answering it (about
    0.8 ms of a diary write's CPU, bench/throughput.sh). The statement is built once from
    the models' metadata, and its rows are made into the models as the ORM would, so the
    token and the user are the same as knox's ``select_related('user')`` hands over.

    The sweep is housekeeping: an expired token never authenticates (its own expiry is
    still checked on every request, and it is deleted when found expired) and the device
    list leaves expired tokens out. Run on every request it cost a SELECT of all the
    user's tokens, one of the few queries a diary write makes (bench/throughput.sh).
    """

    def authenticate_credentials(self, token: bytes) -> tuple[User, DeviceToken]:
        # knox's loop over the rows with this token_key: an expired row is deleted and skipped,
        # the digest is compared in constant time, a matching token is renewed and its user
        # must be active; nothing matching is "Invalid token.".
        msg = _("Invalid token.")
        try:
            text = token.decode("utf-8")
            if not text.isascii() or "\x00" in text:
                raise ValueError("a token is ASCII without NUL")  # PostgreSQL cannot even look up a NUL
            digest = hash_token(text)
        except (TypeError, ValueError):  # UnicodeDecodeError and binascii.Error are ValueErrors
            raise exceptions.AuthenticationFailed(msg) from None
        lookup, cache = _lookup(), usable_cache(connections[DEFAULT_DB_ALIAS])
        # A row this connection found before, kept while nothing changed its token or user
        # (accounts/token_cache.py): the same token, checked the same way, without the SELECT.
        kept = cache.get(digest) if cache is not None else None
        if kept is not None:
            auth_token = lookup.make(kept)
            if not self._cleanup_token(auth_token):
                return self._accept(auth_token)
        for auth_token, row in lookup.find(text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            if compare_digest(digest, auth_token.digest):
                if cache is not None:
                    # Kept before the token is renewed: a renewal writes the row, and the
                    # notification of that write makes the connection forget it again.
                    cache.put(digest, auth_token.user_id, row)
                return self._accept(auth_token)
        raise exceptions.AuthenticationFailed(msg)

    def _accept(self, auth_token: DeviceToken) -> tuple[User, DeviceToken]:
        if knox_settings.AUTO_REFRESH and auth_token.expiry:
            self.renew_token(auth_token)
        user, checked = self.validate_user(auth_token)
        return user, checked

    def _cleanup_token(self, auth_token: DeviceToken) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            return bool(super()._cleanup_token(auth_token))  # deletes it, as knox does
        return False

    def renew_token(self, auth_token: DeviceToken) -> None:
        previous = auth_token.expiry
        super().renew_token(auth_token)
        # knox writes the new expiry only when it moved by more than MIN_REFRESH_INTERVAL.
        if previous is not None and (auth_token.expiry - previous).total_seconds() > knox_settings.MIN_REFRESH_INTERVAL:
            super()._cleanup_token(auth_token)


class DeviceTokenScheme(KnoxTokenScheme):
    """The schema documents the header as knox's own: the same header and prefix."""

    target_class = "accounts.auth.DeviceTokenAuthentication"
