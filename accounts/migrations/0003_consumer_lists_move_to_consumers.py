"""Favorites, recently viewed and favorite categories move to the consumers app.

State only: the tables stay where they are (consumers' models name them with db_table), so no
row moves and nothing is locked. consumers/migrations/0001_initial.py takes the models over.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='favoriteplace',
                    name='place',
                ),
                migrations.RemoveField(
                    model_name='favoriteplace',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='recentlyviewedplace',
                    name='place',
                ),
                migrations.RemoveField(
                    model_name='recentlyviewedplace',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='FavoriteCategory',
                ),
                migrations.DeleteModel(
                    name='FavoritePlace',
                ),
                migrations.DeleteModel(
                    name='RecentlyViewedPlace',
                ),
            ],
            database_operations=[],
        ),
    ]
