"""Pagination of the API: `{"count", "next", "previous", "results"}`, `page` and capped `page_size`.

What a client may ask for, on every list:
- `page`: a whole number from 1 (400 otherwise, naming `page`); a page past the end is 404
  "Invalid page.", however far past: no offset ever reaches the database beyond bigint.
- `page_size`: a whole number from 1 (400 otherwise, naming `page_size`); above API_MAX_PAGE_SIZE
  it is capped (the documented contract), beyond the 64-bit range it is refused like any integer
  this API takes.
"""

from django.conf import settings
from django.db.models import Count, QuerySet, Window
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# PostgreSQL's OFFSET and LIMIT are bigints: a page that starts past this starts past any list's end.
BIGINT_MAX = 2**63 - 1

# The page parameters in the schema, for list views that page by hand.
PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, description=f"Results per page (at most {settings.API_MAX_PAGE_SIZE})."
    ),
]


def _query_integer(name: str, raw: str, *, max_value: int | None = None) -> int:
    """A query parameter as a whole number from 1, or a 400 naming it (DRF's own messages)."""
    try:
        return serializers.IntegerField(min_value=1, max_value=max_value).run_validation(raw)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({name: error.detail}) from None


class ApiPagination(PageNumberPagination):
    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size
        return min(_query_integer(self.page_size_query_param, raw, max_value=BIGINT_MAX), self.max_page_size)

    def get_page_number(self, request, paginator) -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw in self.last_page_strings:
            return paginator.num_pages
        return self.requested_page(request)

    def requested_page(self, request) -> int:
        raw = request.query_params.get(self.page_query_param)
        return _query_integer(self.page_query_param, raw) if raw else 1


class WindowCountPagination(ApiPagination):
    """Pages a values() queryset with its total in the same query (`COUNT(*) OVER ()`).

    The search answers a page and its count with one query over the same bounded rows, instead of a
    second COUNT(*) that would read them all again. The plain nearby search pages itself with a
    capped count instead (`count` exact up to NEARBY_COUNT_CAP, `count_is_capped` true beyond it,
    `next` present while a page follows): a dense circle is never read whole.
    """

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        number = self.requested_page(request)
        offset = (number - 1) * size
        if offset > BIGINT_MAX - size:  # no list is that long; PostgreSQL would refuse the OFFSET
            raise NotFound("Invalid page: that page contains no results.")
        self.number, self.size = number, size
        self.count_is_capped, self.has_next = False, None
        if hasattr(queryset, "capped_page"):  # the plain nearby search: a capped count (trucks.nearby)
            page = queryset.capped_page(offset=offset, limit=size)
            if not page.rows and number > 1:
                raise NotFound("Invalid page: that page contains no results.")
            self.total, self.count_is_capped, self.has_next = page.count, page.count_is_capped, page.has_next
            self.version = getattr(page, "version", None)  # the change log's, read with the page
            return page.rows
        if hasattr(queryset, "page_rows"):  # a search that pages itself (trucks.upcoming.OpenStopKeys)
            rows = queryset.page_rows(offset=offset, limit=size)
        else:
            rows = list(queryset.annotate(total_count=Window(expression=Count("*")))[offset : offset + size])
        if rows:
            self.total = rows[0]["total_count"]
        elif number == 1:
            self.total = 0
        else:
            raise NotFound("Invalid page: that page contains no results.")
        for row in rows:
            del row["total_count"]
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.total,
                "count_is_capped": self.count_is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self):
        if not (self.number * self.size < self.total if self.has_next is None else self.has_next):
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)


_paginated_serializers: dict[tuple[type, bool], type] = {}


CAPPED_COUNT_HELP = (
    f"Results over all pages; for a plain nearby search (a point and a radius, no other filter) exact up to "
    f"NEARBY_COUNT_CAP ({settings.NEARBY_COUNT_CAP}), and that cap when the circle holds more "
    f"(`count_is_capped`)."
)


def paginated(serializer_class: type[serializers.Serializer], *, capped: bool = False) -> type[serializers.Serializer]:
    """The schema of a page of `serializer_class` (one component per item serializer); `capped`: the
    page of a search whose count may be capped (WindowCountPagination)."""
    if (serializer_class, capped) not in _paginated_serializers:
        name = serializer_class.__name__.removesuffix("Serializer")
        extra = {}
        if capped:
            extra["count_is_capped"] = serializers.BooleanField(
                help_text="True when `count` is the cap, not the total: the circle holds more places. "
                "Follow `next` to page on."
            )
        _paginated_serializers[(serializer_class, capped)] = type(
            f"Paginated{name}{'Search' if capped else ''}ListSerializer",
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(help_text=CAPPED_COUNT_HELP if capped else "Results over all pages."),
                **extra,
                "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
                "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null."),
                "results": serializer_class(many=True),
                "__module__": serializer_class.__module__,
            },
        )
    return _paginated_serializers[(serializer_class, capped)]
