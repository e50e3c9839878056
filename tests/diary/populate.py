"""Give a user at least one row in every table that belongs to a user.

The account deletion test uses it to prove that no row survives; a table added later
is covered automatically when its factory is registered here.
"""

from __future__ import annotations

from accounts.models import User
from accounts.services import device_token_create


def populate_every_table(user: User) -> None:
    device_token_create(user=user, device_name="populate")
