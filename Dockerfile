# One image for the API (web), the Celery worker and beat; the command picks the role
# (deploy/entrypoint.sh). Built once, it installs nothing when a container starts.
#
#   docker build -t twitchlog .                                  (python:3.11-slim-bookworm)
#   podman build --build-arg BASE_IMAGE=localhost/twitchlog-base:bookworm ...   (make image-test)
#
# BASE_IMAGE may be any Debian bookworm with python3 3.11 and its venv module: the official
# slim image, or the debootstrap one deploy/build_base_image.sh makes where no image
# registry is reachable.
ARG BASE_IMAGE=python:3.11-slim-bookworm

# --- Stage 1: the virtualenv, built from wheels ------------------------------------------
FROM ${BASE_IMAGE} AS build
# pip's index comes from the build's environment (--build-arg PIP_INDEX_URL=...), never from
# this file. deploy/wheelhouse/ may hold wheels built beforehand (the air-gapped pattern:
# `make image-test` fills it on the host and sets PIP_NO_INDEX=1).
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_NO_INDEX
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
COPY requirements.txt /tmp/requirements.txt
COPY deploy/wheelhouse/ /tmp/wheelhouse/
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --find-links /tmp/wheelhouse -r /tmp/requirements.txt \
 # The libraries' test suites are not needed to run them.
 && find /opt/venv -depth -type d \( -name tests -o -name test \) -path '*/site-packages/*' \
      \( -path '*/numpy/*' -o -path '*/scipy/*' -o -path '*/statsmodels/*' -o -path '*/matplotlib/*' \) \
      -exec rm -rf {} +

# --- Stage 2: the runtime ------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime
# A fixed uid/gid, so a mounted volume's owner is known in advance.
RUN groupadd --system --gid 10001 twitchlog \
 && useradd --system --uid 10001 --gid twitchlog --home-dir /app --shell /usr/sbin/nologin twitchlog
COPY --from=build /opt/venv /opt/venv
# Settings after the large layers above, so changing one rebuilds only what follows.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    DJANGO_ENV=production \
    BEAT_LIVENESS_FILE=/tmp/celerybeat.alive \
    MPLCONFIGDIR=/app/var/matplotlib \
    PORT=8000
WORKDIR /app
# The one thing the service writes to disk: matplotlib's font cache, built once here rather
# than at every container's first chart.
RUN mkdir -p /app/var/matplotlib /app/var/health-imports && chown -R twitchlog:twitchlog /app/var
USER twitchlog
RUN python -c "import matplotlib.font_manager"
USER root
# The code only, owned by root: the service user can read it, not change it.
COPY manage.py requirements.txt /app/
COPY accounts /app/accounts
COPY config /app/config
COPY diary /app/diary
COPY insights /app/insights
COPY deploy/entrypoint.sh deploy/healthcheck.py deploy/gunicorn.conf.py /app/deploy/
# Static files are collected now, once, into the image (whitenoise serves them with their
# hashed names in production). The settings need a secret to load; this one exists only
# for this command and is not kept in the image's environment.
RUN python -m compileall -q /app/accounts /app/config /app/diary /app/insights \
 && DJANGO_SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    python manage.py collectstatic --noinput -v0
USER twitchlog
EXPOSE 8000
# Web answers /healthz; a worker answers a ping to its own node; beat keeps a liveness file
# fresh. deploy/healthcheck.py tells which one this container is from its own command.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "/app/deploy/healthcheck.py"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
