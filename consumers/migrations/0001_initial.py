"""The consumer lists' models, taken over from accounts (accounts/migrations/0003): state only.

Their tables keep their names (accounts_favoriteplace, ...) and their rows; the content types
move with them, so admin permissions granted on them keep working.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ("favoriteplace", "recentlyviewedplace", "favoritecategory")


def content_types_follow(apps, schema_editor, *, old, new):
    """Relabel the content types (and so the permissions) of the moved models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED_MODELS:
        # A content type already made under the new label (a post_migrate in between) would clash.
        if ContentType.objects.using(db).filter(app_label=old, model=model).exists():
            ContentType.objects.using(db).filter(app_label=new, model=model).delete()
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="accounts", new="consumers")


def backwards(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="consumers", new="accounts")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0003_consumer_lists_move_to_consumers'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('trucks', '0003_coordinates_both_or_neither'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FavoriteCategory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='trucks.category')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='favorite_categories', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name_plural': 'favorite categories',
                        'db_table': 'accounts_favoritecategory',
                        'ordering': ['category__name'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'category'), name='favorite_category_once_per_user')],
                    },
                ),
                migrations.CreateModel(
                    name='FavoritePlace',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('place', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='favorited_by', to='trucks.place')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='favorite_places', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_favoriteplace',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['user', '-created_at'], name='favorite_user_recent_idx')],
                        'constraints': [models.UniqueConstraint(fields=('user', 'place'), name='favorite_place_once_per_user')],
                    },
                ),
                migrations.CreateModel(
                    name='RecentlyViewedPlace',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('viewed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('place', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='trucks.place')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recently_viewed', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_recentlyviewedplace',
                        'ordering': ['-viewed_at', '-id'],
                        'indexes': [models.Index(fields=['user', '-viewed_at'], name='recent_user_viewed_idx')],
                        'constraints': [models.UniqueConstraint(fields=('user', 'place'), name='recently_viewed_once_per_user')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
