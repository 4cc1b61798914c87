"""A stream response for a set of channels, served by django-eventstream.

Over ASGI (uvicorn) the response is an async iterator: the connection costs the process a coroutine
and a listener, never a thread. Behind Pushpin (a request signed by the GRIP proxy) the answer is
immediate, with GRIP instructions: Pushpin holds the connection and the web worker is free.
Either way a client reconnecting with Last-Event-ID is first replayed what it missed from the
replay window (live.storage), or sent a "resync" event when that is gone; heartbeats
(`event: keep-alive`) go out every 20 seconds. Over ASGI, after the process's Redis pub/sub listener
has reconnected (live.listener), an open stream is sent "resync" too.

django-eventstream's own `events` view does the same for up to ten channels given in the URL; this
one takes the channels the API view worked out, drops the events a `keep` test refuses (a box's
tile events outside the box) and names the library's "stream-reset" event "resync".
"""

import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django_eventstream.eventrequest import EventRequest
from django_eventstream.eventstream import EventPermissionError, get_events
from django_eventstream.utils import add_default_headers, sse_error_response
from django_eventstream.views import Listener, stream
from gripcontrol import Channel

from live.channels import resync_channel

Keep = Callable[[dict], bool]
MAX_CHANNELS = 64


# A change that moves a place from one tile to another is published to both (the box that lost it hears
# it leave); a stream listening to both gets it twice, with one id per channel. A stream remembers the
# last changes it sent and sends each once.
RECENT_CHANGES = 256


def _filtered(body: str, keep: Keep | None, sent: OrderedDict | None = None) -> str:
    """The SSE text `body` with "stream-reset" renamed "resync", the change events `keep` refuses left
    out, and (given `sent`, the stream's recent changes) a change already sent left out."""
    if not body:
        return body
    blocks = []
    for block in body.split("\n\n"):
        if not block:
            continue
        if block.startswith("event: stream-reset\n"):
            block = "event: resync\n" + block[len("event: stream-reset\n") :]
        elif block.startswith("event: change\n"):
            data = "\n".join(line[6:] for line in block.split("\n") if line.startswith("data: "))
            if keep is not None and not keep(json.loads(data.replace("%%", "%"))):
                continue
            if sent is not None:
                if data in sent:
                    continue
                sent[data] = True
                if len(sent) > RECENT_CHANGES:
                    sent.popitem(last=False)
        blocks.append(block + "\n\n")
    return "".join(blocks)


async def _kept(events: AsyncIterator[str], keep: Keep | None) -> AsyncIterator[str]:
    sent: OrderedDict = OrderedDict()
    async for body in events:
        kept = _filtered(body, keep, sent)
        if kept:
            yield kept


def stream_response(request: HttpRequest, *, channels: list[str], user, keep: Keep | None = None) -> HttpResponse:
    """The SSE answer for `channels` (a Django request; `user` as the API authenticated it, or None)."""
    try:
        event_request = EventRequest(request, channel_limit=MAX_CHANNELS, view_kwargs={"channels": channels})
        event_request.user = user if user is not None and user.is_authenticated else None
    except EventRequest.Error as error:
        response = sse_error_response("bad-request", f"Invalid request: {error}.")
        response.status_code = 400
        add_default_headers(response, request=request)
        return response

    if getattr(request, "grip", None) is not None and request.grip.proxied:
        try:
            response = get_events(event_request).to_grip_response(request)
        except EventPermissionError as error:
            response = sse_error_response("forbidden", str(error), {"channels": error.channels})
        response.content = _filtered(response.content.decode(), keep).encode()
        if request.grip.instruct is not None:  # held: also hear the resyncs of its channels
            for channel in event_request.channels:
                request.grip.instruct.add_channel(Channel(resync_channel(channel)))
        add_default_headers(response, request=request)
        return response

    listener = Listener()
    listener.user_id = event_request.user.pk if event_request.user else "anonymous"
    listener.channels = event_request.channels
    response = StreamingHttpResponse(_kept(stream(event_request, listener), keep), content_type="text/event-stream")
    add_default_headers(response, request=request)
    return response
