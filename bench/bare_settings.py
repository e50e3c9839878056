"""Settings for bench/throughput.py only: the product's, with a URL map that adds the bare view.

Selected by DJANGO_SETTINGS_MODULE in the bench's gunicorn and nowhere else, so the bare
view never reaches the product's URL map.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
