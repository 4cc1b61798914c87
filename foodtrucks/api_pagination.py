"""Pagination of the API: `{"count", "next", "previous", "results"}`, `page` and capped `page_size`."""

from django.conf import settings
from django.db.models import Count, QuerySet, Window
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class ApiPagination(PageNumberPagination):
    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE


class WindowCountPagination(ApiPagination):
    """Pages a values() queryset with its total in the same query (`COUNT(*) OVER ()`).

    The search answers a page and its count with one query over the same bounded rows, instead of a
    second COUNT(*) that would read them all again.
    """

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        raw_page = request.query_params.get(self.page_query_param, "1")
        try:
            number = int(raw_page)
        except ValueError:
            number = 0
        if number < 1:
            raise NotFound("Invalid page: pages are numbered from 1.")
        offset = (number - 1) * size
        if hasattr(queryset, "page_rows"):  # a search that pages itself (trucks.nearby.NearbyKeys)
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
        self.number, self.size = number, size
        return rows

    def get_paginated_response(self, data):
        return Response(
            {"count": self.total, "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_next_link(self):
        if self.number * self.size >= self.total:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)


_paginated_serializers: dict[type, type] = {}


def paginated(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a page of `serializer_class` (one component per item serializer)."""
    if serializer_class not in _paginated_serializers:
        name = serializer_class.__name__.removesuffix("Serializer")
        _paginated_serializers[serializer_class] = type(
            f"Paginated{name}ListSerializer",
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(help_text="Results over all pages."),
                "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
                "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null."),
                "results": serializer_class(many=True),
                "__module__": serializer_class.__module__,
            },
        )
    return _paginated_serializers[serializer_class]
