"""Doorstroom's project settings. The task queue's app is loaded with Django, so `@shared_task` jobs
find it (config/celery.py)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
