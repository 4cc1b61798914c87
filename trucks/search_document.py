"""The place's text-search document: what `q` on the place search matches and ranks.

One stored tsvector per place (Place.search_document, GIN-indexed), English stemming, weighted by
where a word stands: the name (A), its categories' names (B), the names of the items on active menus
attached to it (C), its description (D). A match in the name ranks above one in the description.

The document is rebuilt set-based, by raw SQL in one named function (the ORM cannot say "weighted
vectors of aggregated related names" in an UPDATE), by the services that change any of those texts:
places, categories, menus and their attachments, items. Bulk loads call it once for every place.
"""

from collections.abc import Iterable

from django.db import connection

SEARCH_CONFIG = "english"

# The document of each place p of the statement (every text through the same configuration).
_DOCUMENT_SQL = """
UPDATE trucks_place p SET search_document =
    setweight(to_tsvector('english', p.name), 'A')
    || setweight(to_tsvector('english', coalesce((
        SELECT string_agg(c.name, ' ')
        FROM trucks_place_categories pc JOIN trucks_category c ON c.id = pc.category_id
        WHERE pc.place_id = p.id
    ), '')), 'B')
    || setweight(to_tsvector('english', coalesce((
        SELECT string_agg(i.name, ' ')
        FROM trucks_menu_places mp
        JOIN trucks_menu m ON m.id = mp.menu_id AND m.is_active
        JOIN trucks_menuitem i ON i.menu_id = m.id
        WHERE mp.place_id = p.id
    ), '')), 'C')
    || setweight(to_tsvector('english', p.description), 'D')
"""

# Which places each refresh covers.
_WHERE_PLACES = " WHERE p.id = ANY(%s)"
_WHERE_MENUS = " WHERE p.id IN (SELECT place_id FROM trucks_menu_places WHERE menu_id = ANY(%s))"
_WHERE_CATEGORIES = " WHERE p.id IN (SELECT place_id FROM trucks_place_categories WHERE category_id = ANY(%s))"


def _refresh(where: str = "", params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_DOCUMENT_SQL + where, params)
        return cursor.rowcount


def search_documents_refresh(*, place_ids: Iterable[int]) -> int:
    """Rebuild the documents of these places in one statement. Answers how many rows it rebuilt."""
    place_ids = sorted({place_id for place_id in place_ids if place_id is not None})
    return _refresh(_WHERE_PLACES, [place_ids]) if place_ids else 0


def search_documents_refresh_for_menus(*, menu_ids: Iterable[int]) -> int:
    """Rebuild the documents of the places these menus are attached to."""
    return _refresh(_WHERE_MENUS, [sorted(set(menu_ids))])


def search_documents_refresh_for_categories(*, category_ids: Iterable[int]) -> int:
    """Rebuild the documents of the places in these categories."""
    return _refresh(_WHERE_CATEGORIES, [sorted(set(category_ids))])


def search_documents_refresh_all() -> int:
    """Rebuild every place's document in one statement (bulk loads, e.g. the demo data)."""
    return _refresh()
