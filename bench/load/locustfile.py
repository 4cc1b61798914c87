"""A realistic consumer mix against the API (bench/load.sh runs it headless against gunicorn).

Every simulated user is a signed-in consumer (a token from the seeded database, LOAD_FIXTURES) who
mostly searches near a spot, opens places, and sends analytics events in batches, and now and then
looks at top places, toggles a favorite or rates a place. Weights are per task below.
"""

import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from itertools import count

from locust import HttpUser, between, task

with open(os.environ.get("LOAD_FIXTURES", "bench/load/fixtures.json")) as handle:
    FIXTURES = json.load(handle)
TOKENS = FIXTURES["tokens"]
PLACES = FIXTURES["places"]
CATEGORIES = FIXTURES["categories"]
CITIES = FIXTURES["cities"]
_next_user = count()

REVIEWS = ["Great tacos.", "Long line but worth it.", "Friendly staff, fair prices.", "", "Ran out of the special."]


# Think time between a user's actions, seconds; LOAD_WAIT=0,0 drives the server to saturation.
WAIT_MIN, WAIT_MAX = (float(part) for part in os.environ.get("LOAD_WAIT", "0.5,2.0").split(","))


class Consumer(HttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self):
        token = TOKENS[next(_next_user) % len(TOKENS)]
        self.client.headers.update({"Authorization": f"Token {token}", "Accept": "application/json"})
        self.home = random.choice(PLACES)
        self.seen: list[int] = []

    # -- helpers ----------------------------------------------------------------------------------
    def _near_home(self) -> tuple[float, float]:
        """A spot within ~3 km of this user's neighbourhood."""
        return (
            round(self.home["lat"] + random.uniform(-0.03, 0.03), 6),
            round(self.home["lng"] + random.uniform(-0.03, 0.03), 6),
        )

    def _a_place_id(self) -> int:
        if self.seen and random.random() < 0.7:
            return random.choice(self.seen)
        return random.choice(PLACES)["id"]

    # -- the mix ----------------------------------------------------------------------------------
    @task(40)
    def nearby_search(self):
        lat, lng = self._near_home()
        params = {"lat": lat, "lng": lng, "radius_km": random.choice([2, 5, 5, 10])}
        if random.random() < 0.4:
            params["open_now"] = "true"
        if CATEGORIES and random.random() < 0.25:
            params["category"] = random.choice(CATEGORIES)
        if random.random() < 0.1:
            params["vegan"] = "true"
        if random.random() < 0.15:
            params["ordering"] = "-rating"
        with self.client.get("/api/v1/places/", params=params, name="/api/v1/places/?nearby", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return
            results = r.json().get("results", [])
            self.seen = [place["id"] for place in results[:20]] or self.seen

    @task(25)
    def place_detail(self):
        self.client.get(f"/api/v1/places/{self._a_place_id()}/", name="/api/v1/places/[id]/")

    @task(15)
    def event_batch(self):
        now = datetime.now(UTC)
        events = []
        for _ in range(random.randint(5, 40)):
            lat, lng = self._near_home()
            event = {
                "client_id": str(uuid.uuid4()),
                "place": self._a_place_id(),
                "type": random.choice(["CLICK", "NEARBY_DETECTION", "NEARBY_DETECTION"]),
                "occurred_at": (now - timedelta(seconds=random.randint(0, 600))).isoformat(),
                "lat": lat,
                "lng": lng,
            }
            if random.random() < 0.3:
                event["type"] = "VIEW"  # only a VIEW carries a dwell time
                event["dwell_ms"] = random.randint(1000, 300000)
            events.append(event)
        with self.client.post("/api/v1/events/", json={"events": events}, catch_response=True) as r:
            if r.status_code not in (200, 201, 202):
                r.failure(f"status {r.status_code}")
            elif r.json().get("accepted", 0) + r.json().get("duplicates", 0) != len(events):
                r.failure(f"events lost: sent {len(events)}, answer {r.text[:200]}")

    @task(5)
    def top_places(self):
        if CITIES:
            self.client.get("/api/v1/places/top/", params={"city": random.choice(CITIES)}, name="/api/v1/places/top/")

    @task(5)
    def favorites(self):
        self.client.get("/api/v1/me/favorites/", name="/api/v1/me/favorites/")

    @task(4)
    def toggle_favorite(self):
        place_id = self._a_place_id()
        with self.client.post("/api/v1/me/favorites/", json={"place": place_id}, catch_response=True) as r:
            if r.status_code in (200, 201, 409):  # 409: already a favorite
                r.success()
            else:
                r.failure(f"status {r.status_code}")
        with self.client.delete(
            f"/api/v1/me/favorites/{place_id}/", name="/api/v1/me/favorites/[id]/", catch_response=True
        ) as r:
            if r.status_code in (200, 204, 404):  # 404: the add above did not stick
                r.success()
            else:
                r.failure(f"status {r.status_code}")

    @task(3)
    def rate(self):
        place_id = self._a_place_id()
        body = {"stars": str(random.choice([3.0, 3.5, 4.0, 4.5, 5.0])), "review": random.choice(REVIEWS)}
        with self.client.post(
            f"/api/v1/places/{place_id}/ratings/", json=body, name="/api/v1/places/[id]/ratings/", catch_response=True
        ) as r:
            if r.status_code not in (200, 201):
                r.failure(f"status {r.status_code}")

    @task(3)
    def recently_viewed(self):
        self.client.get("/api/v1/me/recently-viewed/", name="/api/v1/me/recently-viewed/")
