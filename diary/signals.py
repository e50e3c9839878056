"""Sent after a commit that changed a user's diary; the insights listen to recompute.

The one receiver is ``insights.tasks.recompute_on_diary_change``, connected in ``InsightsConfig.ready``
(insights/apps.py). A signal, not a call, because diary/ must not import insights/ (docs/architecture.md).
"""

from django.dispatch import Signal

# Sent with user_id=<int> and tables=<sorted table names> once per committed diary write or sync push.
diary_changed = Signal()
