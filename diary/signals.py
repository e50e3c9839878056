"""Sent after a commit that changed a user's diary; the insights listen to recompute."""

from django.dispatch import Signal

# Sent with user_id=<int> and tables=<sorted table names> once per committed diary write or sync push.
diary_changed = Signal()
