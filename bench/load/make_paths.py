"""Write request paths for wrk (bench/load/paths.lua) from the load test's fixtures file.

    python bench/load/make_paths.py FIXTURES.json nearby OUT.txt [--count 2000]

nearby: the nearby search around the fixtures' places (within ~3 km, radius 2-10 km), as the locust
mix asks it; detail: place detail reads; categories: the category list.
"""

import argparse
import json
import random


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("fixtures")
    parser.add_argument("kind", choices=["nearby", "detail", "categories"])
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    with open(args.fixtures) as handle:
        places = json.load(handle)["places"]
    rng = random.Random(42)
    paths = []
    for _ in range(args.count):
        place = rng.choice(places)
        if args.kind == "nearby":
            lat = round(place["lat"] + rng.uniform(-0.03, 0.03), 6)
            lng = round(place["lng"] + rng.uniform(-0.03, 0.03), 6)
            paths.append(f"/api/v1/places/?lat={lat}&lng={lng}&radius_km={rng.choice([2, 5, 5, 10])}")
        elif args.kind == "detail":
            paths.append(f"/api/v1/places/{place['id']}/")
        else:
            paths.append("/api/v1/categories/")
    with open(args.out, "w") as handle:
        handle.write("\n".join(paths) + "\n")


if __name__ == "__main__":
    main()
