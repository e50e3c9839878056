#!/bin/sh
# The image's roles: `web` (gunicorn), `worker` (Celery), `beat` (the scheduler), `migrate`
# (the one-off migrations service); anything else runs as given (`manage.py shell`, `sh`).
# exec: the role is PID 1, so it gets the stop signal and deploy/healthcheck.py can see it.
set -eu

case "${1:-web}" in
  web)
    shift || true
    exec gunicorn config.wsgi --config /app/deploy/gunicorn.conf.py "$@"
    ;;
  worker)
    shift
    # Named after the container's hostname, so the health check pings this node and no other.
    exec celery -A config worker \
      --hostname "worker@$(hostname)" \
      --queues "${CELERY_QUEUES:-insights,email,reports}" \
      --concurrency "${CELERY_CONCURRENCY:-2}" \
      --loglevel "${CELERY_LOG_LEVEL:-info}" \
      "$@"
    ;;
  beat)
    shift
    # The schedule lives in the database (django-celery-beat): no file to write but the
    # liveness file (BEAT_LIVENESS_FILE) the health check reads.
    exec celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-info}" --pidfile= "$@"
    ;;
  migrate)
    shift
    exec python manage.py migrate --noinput "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
