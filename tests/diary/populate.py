"""Give a user at least one row in every table that belongs to a user.

The account deletion test uses it to prove that no row survives; every diary table in
TABLES gets a record through the services, so a table added later is covered at once.
"""

from __future__ import annotations

from accounts.models import User
from accounts.services import device_token_create
from diary.tables import TABLES
from tests.diary.payloads import store


def populate_every_table(user: User) -> None:
    device_token_create(user=user, device_name="populate")
    for table in TABLES:
        store(user, table)
