"""The change bus's subscriber that feeds the live streams (registered in live.apps)."""

from django_eventstream import send_event

from live.channels import place_channel, tile_channels
from trucks.changes import PlaceChange

EVENT_TYPE = "change"


def channels_for(change: PlaceChange) -> list[str]:
    """The place's own channel, and each tile channel holding its position or the one it left."""
    channels = [place_channel(change.place_id)]
    for lat, lng in change.positions():
        channels += [channel for channel in tile_channels(lat, lng) if channel not in channels]
    return channels


def place_change_to_streams(change: PlaceChange) -> None:
    """Append the change to each channel's replay window and fan it out (Redis pub/sub to every ASGI
    process, and Pushpin's publish endpoint when GRIP_URL is set). Redis down raises here: the change
    bus logs it, the write that made the change has committed and its request answers as usual."""
    data = change.as_json()
    for channel in channels_for(change):
        send_event(channel, EVENT_TYPE, data)
