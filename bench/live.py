"""Benchmark of the live streams: how many open streams one process holds, memory per stream, and
how fast a change reaches all of them.

Opens N box streams (raw asyncio sockets, one connection each) against ONE uvicorn process (ASGI) or
against Pushpin in front of gunicorn's sync workers (`--via pushpin`, `--web-workers`, 1 unasked),
measures the serving processes' resident memory before and after (uvicorn, or gunicorn + Pushpin's
processes and zurl, by the ids this script started), then publishes E changes through the same path
the services use (django-eventstream's send_event: Redis replay window + pub/sub, and Pushpin's
publish endpoint) and reports, per change, when each stream received it: p50 / p99 / max delivery
latency and events delivered per second.

A stream answered with anything but 200 (Pushpin's 502 when it cannot pass the request on), or
closed by the server, is counted and opened again a second later, as an app would: a refusal can no
longer pass for a slow open. The streams hold no database connection; the events go through the
REDIS_URL database (default redis://127.0.0.1:6379/11). Run it under the bench lock:

    flock /tmp/bench.lock .venv/bin/python bench/live.py --streams 2000 [--asgi-workers 2]
    flock /tmp/bench.lock .venv/bin/python bench/live.py --streams 5000 --via pushpin
"""

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodtrucks.settings.local")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

BOX = "30.0,-98.0,30.5,-97.5"
SPOT = (30.25, -97.75)


def rss_by_name(pids: list[int]) -> dict[str, int]:
    """Resident memory (kB) of the processes and their children, by name (gunicorn's are "python")."""
    used: dict[str, int] = {}
    for pid in descendants(pids):
        try:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
        except FileNotFoundError:
            continue
        name = next(line.split()[1] for line in status if line.startswith("Name:"))
        rss = [int(line.split()[1]) for line in status if line.startswith("VmRSS:")]
        used[name] = used.get(name, 0) + sum(rss)
    return used


class Stream:
    def __init__(self):
        self.received: dict[int, float] = {}
        self.open = asyncio.Event()
        self.refused = 0  # answers other than 200
        self.dropped = 0  # closed by the server (before or after stream-open)
        self.last_status = b""
        self.resyncs = 0

    async def run(self, host: str, port: int, path: str) -> None:
        while True:
            try:
                await self._once(host, port, path)
            except OSError:
                self.dropped += 1
            self.open.clear()
            await asyncio.sleep(1.0)  # an app reconnects after a pause

    async def _once(self, host: str, port: int, path: str) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
        try:
            await writer.drain()
            status = await reader.readline()
            if not status.startswith(b"HTTP/1.1 200"):
                self.refused += 1
                self.last_status = status.strip()
                return
            while True:
                line = await reader.readline()
                if not line:
                    self.dropped += 1
                    return
                if line.startswith(b"event: stream-open"):
                    self.open.set()
                elif line.startswith(b"event: resync"):
                    self.resyncs += 1
                elif line.startswith(b"data: {"):
                    now = time.time()
                    data = json.loads(line[6:])
                    if "seq" in data:  # a change of the bench's (a resync's data names channels)
                        self.received.setdefault(data["seq"], now - data["sent"])
        finally:
            writer.close()


def descendants(pids: list[int]) -> list[int]:
    """The processes and all their children."""
    found, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        if pid in found:
            continue
        found.append(pid)
        try:
            todo += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def cpu_seconds(pids: list[int]) -> dict[str, float]:
    """CPU time (user + system, all threads) used so far by each process, by name (gunicorn's are "python")."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        name = "bench client" if pid == os.getpid() else stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used[name] = used.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return used


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def main(args) -> None:
    import django

    django.setup()
    from django_eventstream import send_event

    from live.channels import tile_channels
    from tests.pushpin import running_pushpin
    from tests.sse import free_port

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    env = {**os.environ, "API_THROTTLE_ANON": "1000000/min", "DJANGO_LOG_LEVEL": "WARNING"}
    port = free_port()
    import contextlib

    with contextlib.ExitStack() as stack:
        if args.via == "pushpin":
            pushpin = stack.enter_context(running_pushpin(port))
            os.environ["GRIP_URL"] = pushpin.grip_url
            from django.conf import settings

            settings.GRIP_URL = pushpin.grip_url
            command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "foodtrucks.wsgi"]
            env |= {"GRIP_URL": pushpin.grip_url, "HOST": "127.0.0.1", "PORT": str(port)}
            env |= {"WEB_CONCURRENCY": str(args.web_workers)}
            env |= {"GUNICORN_ACCESSLOG": "/dev/null", "GUNICORN_LOGLEVEL": "warning"}
            target_port = int(pushpin.url.rsplit(":", 1)[1])
        else:
            command = [sys.executable, "-m", "uvicorn", "foodtrucks.asgi:application", "--host", "127.0.0.1"]
            command += ["--port", str(port), "--log-level", "warning", "--lifespan", "off", "--no-access-log"]
            if args.asgi_workers > 1:  # uvicorn's own supervisor: one Redis subscription per worker
                command += ["--workers", str(args.asgi_workers)]
            target_port = port
        server = stack.enter_context(_serving_with_pid(command, port, env))
        await asyncio.sleep(1)
        pids = [server.pid] + (list(pushpin.pids) if args.via == "pushpin" else [])
        before_by_name = rss_by_name(pids)
        before = sum(before_by_name.values())
        print(f"load average before: {load_average()}", flush=True)

        streams = [Stream() for _ in range(args.streams)]
        path = f"/api/v1/live/places/?bbox={BOX}"
        started = time.monotonic()
        tasks = []
        for index, stream in enumerate(streams):
            tasks.append(asyncio.create_task(stream.run("127.0.0.1", target_port, path)))
            if index % 100 == 99:
                await asyncio.sleep(0.05)
        opened = 0
        deadline = time.monotonic() + args.open_timeout
        while time.monotonic() < deadline:
            opened = sum(stream.open.is_set() for stream in streams)
            if opened == len(streams):
                break
            await asyncio.sleep(0.2)
        open_seconds = time.monotonic() - started
        refused_opening = sum(stream.refused for stream in streams)
        await asyncio.sleep(2)
        after_by_name = rss_by_name(pids)
        after = sum(after_by_name.values())

        if args.reconnect:
            # the serving processes' pub/sub connections cut (as a Redis restart would): each listener
            # reconnects, then every open stream re-reads its window and is sent "resync"
            import redis

            killed = redis.Redis.from_url(os.environ["REDIS_URL"]).client_kill_filter(_type="pubsub")
            print(f"cut {killed} pub/sub connection(s); delivering after the reconnect", flush=True)
            await asyncio.sleep(3)

        channels = tile_channels(*SPOT)
        processes = [*descendants(pids), os.getpid()]
        cpu_before = cpu_seconds(processes)
        sent_at = time.monotonic()
        for seq in range(args.events):
            data = {"kind": "moved", "place_id": 0, "is_open": True, "lat": SPOT[0], "lng": SPOT[1]}
            data |= {"seq": seq, "sent": time.time()}
            # one change goes to the tile of each size, as the publisher does (the streams listen to one)
            await asyncio.to_thread(_publish, send_event, channels, data)
            await asyncio.sleep(args.interval)
        await asyncio.sleep(3)
        window = time.monotonic() - sent_at
        cpu_after = cpu_seconds(processes)
        cpu = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}

        latencies = [lat for stream in streams for lat in stream.received.values()]
        delivered = len(latencies)
        for task in tasks:
            task.cancel()
        workers = f" web workers={args.web_workers}" if args.via == "pushpin" else f" workers={args.asgi_workers}"
        print(f"via={args.via}{workers} streams asked={args.streams} open={opened} in {open_seconds:.1f} s")
        statuses = sorted({stream.last_status for stream in streams if stream.last_status})
        print(
            f"refused while opening={refused_opening} {statuses} "
            f"dropped by the server={sum(stream.dropped for stream in streams)} "
            f"open at the end={sum(stream.open.is_set() for stream in streams)} "
            f"resyncs received={sum(stream.resyncs for stream in streams)}"
        )
        print(f"load average after: {load_average()}")
        print(
            f"serving RSS before={before / 1024:.0f} MiB after={after / 1024:.0f} MiB "
            f"per stream={(after - before) / max(opened, 1):.1f} kB"
        )
        grown = {name: (after_by_name[name] - before_by_name.get(name, 0)) / 1024 for name in after_by_name}
        print("RSS grown by: " + ", ".join(f"{name} {mib:+.0f} MiB" for name, mib in sorted(grown.items())))
        if latencies:
            latencies.sort()
            p = lambda q: latencies[min(int(q * len(latencies)), len(latencies) - 1)] * 1000  # noqa: E731
            print(
                f"events={args.events} delivered={delivered} of {args.events * opened} "
                f"latency p50={p(0.50):.0f} ms p99={p(0.99):.0f} ms max={latencies[-1] * 1000:.0f} ms "
                f"mean={statistics.mean(latencies) * 1000:.0f} ms"
            )
            print(f"delivered {delivered / window:.0f} events/s over {window:.1f} s (incl. 3 s drain)")
        busiest = sorted(cpu.items(), key=lambda item: -item[1])
        print("CPU seconds while delivering: " + ", ".join(f"{name} {used:.1f}" for name, used in busiest if used))


def _publish(send_event, channels: list[str], data: dict) -> None:
    for channel in channels:
        send_event(channel, "change", data)


class _serving_with_pid:
    def __init__(self, command, port, env):
        import subprocess

        from tests.sse import ROOT as APP_ROOT
        from tests.sse import wait_for_port

        self.process = subprocess.Popen(command, cwd=APP_ROOT, env=env)
        self.pid = self.process.pid
        wait_for_port(port)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        import subprocess

        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # uvicorn waits for its open streams to close: no need here
            self.process.kill()
            self.process.wait(timeout=20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between changes")
    parser.add_argument("--via", choices=["asgi", "pushpin"], default="asgi")
    parser.add_argument("--open-timeout", type=float, default=120.0)
    parser.add_argument("--web-workers", type=int, default=1, help="gunicorn sync workers behind Pushpin")
    parser.add_argument("--asgi-workers", type=int, default=1, help="uvicorn worker processes (--via asgi)")
    parser.add_argument("--reconnect", action="store_true", help="cut the pub/sub connections before delivering")
    asyncio.run(main(parser.parse_args()))
