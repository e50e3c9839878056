"""WSGI entry point for gunicorn."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# The URL patterns, and with them every view, serializer and report module they import (about
# 90,000 objects more), load now rather than at the first request, so that they are frozen too:
# left to the first request, a full pass walked them every few thousand requests (about 200 ms
# each, 2% of an episode POST's time, bench/throughput.sh).
get_resolver().url_patterns  # noqa: B018 (a property whose reading imports the URL conf)

# What loading the project made (modules, classes, URL patterns, the registry: about 155,000
# objects) lives as long as the process. Frozen, the collector's full passes no longer
# walk it: one such pass, set off every so often by the objects a request makes and drops, took
# about 80 ms in the middle of a 500-record sync push (bench/push_profile.py). Python's own advice
# for servers (the gc module's documentation, gc.freeze); garbage from loading is collected first.
gc.collect()
gc.freeze()
