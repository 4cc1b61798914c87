"""Development settings: the embedded defaults, DEBUG on unless the environment says otherwise."""

from foodtrucks.embedded_db import embedded_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, _databases, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# DATABASE_URL wins; without it, the embedded PostgreSQL in .pgdata/ (started on first use).
DATABASES = _databases(env("DATABASE_URL", default="") or embedded_database_url(BASE_DIR / ".pgdata"))
