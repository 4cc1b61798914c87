"""The API's rate limits counted in Redis: a sliding window of two counters, one round trip, atomic."""

import threading

import pytest
from django.core.cache import caches
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from foodtrucks.api_throttles import AnonRateThrottle

WINDOW_START = 1_800_000_000.0 - (1_800_000_000.0 % 60)  # a minute boundary


class Clock:
    def __init__(self, at: float):
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def three_a_minute(monkeypatch):
    """The anonymous rate at 3 a minute, on a clock the test moves."""
    rates = {**AnonRateThrottle.THROTTLE_RATES, "anon": "3/min"}
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    clock = Clock(WINDOW_START)
    monkeypatch.setattr(AnonRateThrottle, "timer", clock)
    return clock


def ask(address: str = "203.0.113.7") -> tuple[bool, float | None]:
    throttle = AnonRateThrottle()
    request = APIView().initialize_request(APIRequestFactory().get("/api/v1/categories/", REMOTE_ADDR=address))
    allowed = throttle.allow_request(request, None)
    return allowed, None if allowed else throttle.wait()


def test_the_rate_is_kept_within_a_window_and_per_client(three_a_minute):
    answers = [ask()[0] for _ in range(4)]

    assert answers == [True, True, True, False]
    assert ask("198.51.100.1")[0] is True  # another client has its own count
    # two counters in Redis (this window's, expiring after two windows), not a pickled history
    redis_client = caches["default"]._cache.get_client(write=True)
    key = caches["default"].make_and_validate_key("throttle_anon_203.0.113.7") + f":{int(WINDOW_START // 60)}"
    assert redis_client.get(key) == b"3"
    assert 0 < redis_client.ttl(key) <= 120


def test_refused_requests_are_not_counted_and_retry_after_is_the_window_left(three_a_minute):
    for _ in range(3):
        ask()
    three_a_minute.at = WINDOW_START + 20

    allowed, wait = ask()

    assert allowed is False
    assert wait == pytest.approx(40.0)  # this window's 3 weigh less than 3 only after it ends


def test_the_last_window_weighs_by_how_much_of_it_is_still_in_the_sliding_window(three_a_minute):
    for _ in range(3):
        ask()
    # Half a minute into the next window, the last window's 3 requests weigh 1.5.
    three_a_minute.at = WINDOW_START + 60 + 30

    answers = [ask() for _ in range(3)]

    # 1.5 + 0 and 1.5 + 1 are below 3; 1.5 + 2 is not, until the last window weighs below 1/3: 10 s on.
    assert [allowed for allowed, _ in answers] == [True, True, False]
    assert answers[2][1] == pytest.approx(10.0)


def test_two_concurrent_requests_never_take_the_same_last_slot(three_a_minute, monkeypatch):
    rates = {**AnonRateThrottle.THROTTLE_RATES, "anon": "5/min"}
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    answers: list[bool] = []
    barrier = threading.Barrier(20)

    def client() -> None:
        barrier.wait()
        answers.append(ask()[0])

    threads = [threading.Thread(target=client) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [False] * 15 + [True] * 5
