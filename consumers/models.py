"""A consumer's own lists, all about places: favorites (followed places), recently viewed, favorite categories."""

from django.conf import settings
from django.db import models
from django.utils import timezone

RECENTLY_VIEWED_LIMIT = 50


class FavoritePlace(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorite_places")
    place = models.ForeignKey("trucks.Place", on_delete=models.CASCADE, related_name="favorited_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_favoriteplace"  # the table from before the move out of accounts
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "place"], name="favorite_place_once_per_user"),
        ]
        indexes = [
            # "my favorites, newest first"
            models.Index(fields=["user", "-created_at"], name="favorite_user_recent_idx"),
        ]

    def __str__(self):
        return f"{self.user} ♥ {self.place}"


class RecentlyViewedPlace(models.Model):
    """One row per user and place; viewed_at moves forward on every view, the oldest past 50 go."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recently_viewed")
    place = models.ForeignKey("trucks.Place", on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_recentlyviewedplace"  # the table from before the move out of accounts
        ordering = ["-viewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "place"], name="recently_viewed_once_per_user"),
        ]
        indexes = [
            # "my recently viewed, newest first" and trimming past the limit
            models.Index(fields=["user", "-viewed_at"], name="recent_user_viewed_idx"),
        ]

    def __str__(self):
        return f"{self.user} viewed {self.place}"


class FavoriteCategory(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorite_categories")
    category = models.ForeignKey("trucks.Category", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_favoritecategory"  # the table from before the move out of accounts
        ordering = ["category__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="favorite_category_once_per_user"),
        ]
        verbose_name_plural = "favorite categories"

    def __str__(self):
        return f"{self.user} likes {self.category}"
