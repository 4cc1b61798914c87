"""The change bus's subscriber that feeds the live streams (registered in live.apps)."""

import logging

import redis
from django_eventstream import send_event
from django_eventstream.utils import sse_encode_event
from django_grip import publish
from gripcontrol import HttpStreamFormat

from live.channels import place_channel, resync_channel, tile_channels
from trucks.changes import PlaceChange

logger = logging.getLogger(__name__)

EVENT_TYPE = "change"
RESYNC_EVENT_TYPE = "resync"


def channels_for(change: PlaceChange) -> list[str]:
    """The place's own channel, and each tile channel holding its position or the one it left."""
    channels = [place_channel(change.place_id)]
    for lat, lng in change.positions():
        channels += [channel for channel in tile_channels(lat, lng) if channel not in channels]
    return channels


def place_change_to_streams(change: PlaceChange) -> None:
    """Append the change to each channel's replay window and fan it out (Redis pub/sub to every ASGI
    process, and Pushpin's publish endpoint when GRIP_URL is set). Redis down raises here: the change
    bus logs it, the write that made the change has committed and its request answers as usual.

    A change that could not enter the window (Redis down) is missed by every open stream of its
    channels. Over ASGI the streams learn it when the process's listener is back (live.listener sends
    them "resync"); the streams Pushpin holds would never learn it, so they are sent "resync" at once,
    straight through Pushpin (which needs no Redis): the app refetches through the catch-up feed,
    where the change is (it is in the change log, committed)."""
    data = change.as_json()
    channels = channels_for(change)
    try:
        for channel in channels:
            send_event(channel, EVENT_TYPE, data)
    except redis.RedisError:
        resync_behind_the_proxy(channels)
        raise


def resync_behind_the_proxy(channels: list[str]) -> None:
    """A "resync" event to the streams Pushpin holds on `channels` (nothing without GRIP_URL), through
    each channel's resync channel (live.channels.resync_channel). It carries no id, so a stream's
    Last-Event-ID stays where it was: the window it replays from is unchanged."""
    for channel in channels:
        event = sse_encode_event(RESYNC_EVENT_TYPE, {"channels": [channel]}, json_encode=True)
        try:
            publish(resync_channel(channel), HttpStreamFormat(event), blocking=True)
        except Exception:  # Pushpin away too: the catch-up feed on the app's next reconnect still has it
            logger.warning("could not tell the streams of %s to resync", channel, exc_info=True)
