"""Shared model pieces: a public UUID for URLs and the API, and a version for optimistic concurrency."""

import uuid

from django.db import models


class PublicIdModel(models.Model):
    """Internal integer keys for joins, a random UUID for anything a user or client sees."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True
