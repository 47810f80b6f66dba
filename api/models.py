"""The API's own bookkeeping: the org's API requests per day."""

from __future__ import annotations

from django.db import models


class ApiDailyUsage(models.Model):
    """API requests of the org on one day (UTC), counted by a conditional UPDATE."""

    day = models.DateField(unique=True)
    requests = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.requests}"
