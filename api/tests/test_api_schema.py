"""The OpenAPI schema (the mobile client is generated from it) and its browsable docs."""

import re
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command

from trucks.search import CARD_KEYS, CARD_KEYS_WITH_DISTANCE, CARD_KEYS_WITH_STOP

DESIGN_PATHS = [
    "auth/register/",
    "auth/token/",
    "auth/logout/",
    "me/",
    "places/",
    "places/{id}/",
    "places/top/",
    "categories/",
    "vendors/{id}/",
    "me/favorites/",
    "me/favorites/{id}/",
    "me/recently-viewed/",
    "me/favorite-categories/",
    "places/{id}/ratings/",
    "ratings/{id}/",
    "vendor/places/{id}/location/",
]


def generated_schema(tmp_path: Path) -> dict:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text())


def test_schema_validates_and_has_every_path_of_the_contract(tmp_path, db):
    schema = generated_schema(tmp_path)

    paths = {re.sub(r"\{[a-z_]+\}", "{id}", path.removeprefix("/api/v1/")) for path in schema["paths"]}
    # events/ belongs to the analytics API; schema/ and docs/ serve this very schema.
    assert set(DESIGN_PATHS) <= paths


def test_schema_documents_the_error_shape_and_the_search_parameters(tmp_path, db):
    schema = generated_schema(tmp_path)

    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "errors"]
    search = schema["paths"]["/api/v1/places/"]["get"]
    names = {param["name"] for param in search["parameters"]}
    assert names >= {"lat", "lng", "radius_km", "kind", "category", "open_now", "vegan", "vegetarian"}
    assert names >= {"gluten_free", "city", "q", "ordering", "page", "page_size"}
    assert set(search["responses"]) == {"200", "304", "400", "404", "429"}
    card = schema["components"]["schemas"]["PlaceCard"]
    assert "distance_km" not in card["required"] and "location_updated_at" in card["required"]
    rating_post = schema["paths"]["/api/v1/places/{place_id}/ratings/"]["post"]
    assert set(rating_post["responses"]) == {"200", "201", "400", "401", "404", "429"}


def test_schema_lists_each_filter_with_its_type_and_choices(tmp_path, db):
    schema = generated_schema(tmp_path)

    search = {p["name"]: p for p in schema["paths"]["/api/v1/places/"]["get"]["parameters"]}
    top = {p["name"]: p for p in schema["paths"]["/api/v1/places/top/"]["get"]["parameters"]}
    assert search["kind"]["schema"] == {"type": "string", "enum": ["stand", "truck"]}
    assert search["ordering"]["schema"] == {"type": "string", "enum": ["-rating", "distance", "name"]}
    assert search["category"]["schema"] == {
        "type": "array",
        "items": {"type": "string", "maxLength": 80, "pattern": "^[-a-zA-Z0-9_]+$"},
    }
    assert (search["category"]["style"], search["category"]["explode"]) == ("form", True)
    assert {name: search[name]["schema"] for name in ("open_now", "vegan", "vegetarian", "gluten_free")} == {
        name: {"type": "boolean"} for name in ("open_now", "vegan", "vegetarian", "gluten_free")
    }
    assert search["city"]["schema"] == search["q"]["schema"] == {"type": "string", "maxLength": 100}
    assert search["radius_km"]["schema"] == {"type": "number", "format": "double", "maximum": 50.0, "minimum": 0.01}
    assert top["city"] == {
        "in": "query",
        "name": "city",
        "schema": {"type": "string", "maxLength": 100},
        "description": "City name (any case).",
        "required": True,
    }


def test_schema_endpoint_answers_openapi_3(api_client, db):
    response = api_client.get("/api/v1/schema/")

    assert response.status_code == 200
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_docs_load_swagger_ui_from_static_files_only(api_client, db):
    response = api_client.get("/api/v1/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert all(url.startswith(settings.STATIC_URL) or url.startswith("/api/v1/") for url in assets), assets
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_place_card_schema_lists_exactly_the_keys_every_card_carries(tmp_path, api_client, place_a):
    # given the schema's PlaceCard and cards from both SQL statements (by ids, and the plain nearby page)
    schema = generated_schema(tmp_path)
    documented = set(schema["components"]["schemas"]["PlaceCard"]["properties"])
    place_a.lat, place_a.lng = 30.2672, -97.7431
    place_a.save(update_fields=["lat", "lng"])

    listed = api_client.get("/api/v1/places/", {"city": place_a.city or ""}).json()["results"]
    nearby = api_client.get("/api/v1/places/", {"lat": 30.2672, "lng": -97.7431}).json()["results"]

    # then the documented card is the card the SQL builds, key for key (`stop` only with open_at)
    assert documented == set(CARD_KEYS_WITH_STOP)
    assert set(listed[0]) == set(CARD_KEYS)
    assert set(nearby[0]) == set(CARD_KEYS_WITH_DISTANCE)


def test_schema_documents_the_map_as_places_or_clusters(tmp_path, db):
    schema = generated_schema(tmp_path)

    map_get = schema["paths"]["/api/v1/places/map/"]["get"]
    parameters = {param["name"]: param for param in map_get["parameters"]}
    answer = map_get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    place_map = schema["components"]["schemas"][answer]
    search_names = {param["name"] for param in schema["paths"]["/api/v1/places/"]["get"]["parameters"]}
    assert parameters["bbox"]["required"] is True and parameters["bbox"]["schema"]["type"] == "string"
    assert {"open_now", "kind", "category", "city"} <= set(parameters) and "ordering" not in parameters
    assert "bbox" in search_names
    assert place_map["discriminator"]["propertyName"] == "type"
    assert set(place_map["discriminator"]["mapping"]) == {"places", "clusters"}
    clusters = schema["components"]["schemas"]["MapClusters"]["properties"]
    assert set(clusters) == {"type", "count", "rows", "columns", "clusters"}
