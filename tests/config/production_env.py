"""The environment of a production deployment, for the tests that start the app as production."""

# What a real deployment sets (docker-compose.yml and the environment table of docs/operations.md); no
# service is contacted, since settings only parse these and the checks do not connect.
PRODUCTION_ENV = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "api.example.org",
    "DATABASE_URL": "postgres://twitchlog:secret@db.internal:5432/twitchlog",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "PUBLIC_BASE_URL": "https://api.example.org",
    "NUM_PROXIES": "1",
}
