"""The Celery app: Redis as broker when REDIS_URL is set, tasks in-process otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodtrucks.settings.local")

app = Celery("foodtrucks")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
