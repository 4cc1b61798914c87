"""Every Celery task has a soft and a hard time limit, and the broker's visibility timeout is above them."""

from foodtrucks.celery import app


def test_every_task_has_a_soft_and_a_hard_time_limit_below_the_visibility_timeout():
    # given
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    # when
    limits = {
        name: (task.soft_time_limit or app.conf.task_soft_time_limit, task.time_limit or app.conf.task_time_limit)
        for name, task in ours.items()
    }
    # then
    assert limits == {
        "analytics.rollup_day": (9 * 60, 10 * 60),
        "analytics.rollup_due_days": (4 * 60, 5 * 60),
        "analytics.purge_expired_events": (4 * 60, 5 * 60),
        "analytics.create_event_partitions": (4 * 60, 5 * 60),
        "trucks.switch_off_stale_open_places": (4 * 60, 5 * 60),
        "trucks.warm_top_places": (4 * 60, 5 * 60),
        "trucks.rebuild_upcoming_stops": (4 * 60, 5 * 60),
        "trucks.reverse_geocode_place": (4 * 60, 5 * 60),
        "trucks.make_thumbnails": (4 * 60, 5 * 60),
        "trucks.sync_calendar": (4 * 60, 5 * 60),
        "trucks.sync_all_calendars": (4 * 60, 5 * 60),
        "trucks.prune_change_log": (4 * 60, 5 * 60),
        "vendors.send_member_invite": (4 * 60, 5 * 60),
        "vendors.send_certificate_reminders": (4 * 60, 5 * 60),
        "analytics.send_weekly_summaries": (4 * 60, 5 * 60),
        "foodtrucks.stored_files_delete": (4 * 60, 5 * 60),
        "consumers.flush_place_views": (4 * 60, 5 * 60),
        "notifications.fan_out_place_change": (4 * 60, 5 * 60),
        "notifications.push_notifications": (4 * 60, 5 * 60),
    }
    assert app.conf.broker_transport_options == {"visibility_timeout": 15 * 60}
    assert max(hard for _, hard in limits.values()) < app.conf.broker_transport_options["visibility_timeout"]
