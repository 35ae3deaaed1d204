"""One way to page a list that grows with the study: the pages' ``paginate`` and the API's ``ApiPagination``.

A page keeps the request's other parameters (its filters) in its previous and next links, so filtering and paging
go together; several lists on one page each take their own parameter (``param``). The template
``core/_pagination.html`` draws the links and the total.
"""

from __future__ import annotations

from typing import cast

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from rest_framework.pagination import PageNumberPagination

PAGE_SIZE = 50


class LinkedPage(Page):
    """A page that knows the query string of its neighbours (the request's parameters, its own ``param`` changed)."""

    query: QueryDict
    param: str

    def _link(self, number: int) -> str:
        query = self.query.copy()
        query[self.param] = str(number)
        return "?" + query.urlencode()

    @property
    def previous_link(self) -> str:
        return self._link(self.previous_page_number()) if self.has_previous() else ""

    @property
    def next_link(self) -> str:
        return self._link(self.next_page_number()) if self.has_next() else ""


class _LinkedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, query: QueryDict, param: str):
        super().__init__(object_list, per_page)
        self.query, self.param = query, param

    def _get_page(self, *args, **kwargs) -> LinkedPage:
        page = LinkedPage(*args, **kwargs)
        page.query, page.param = self.query, self.param
        return page


def paginate(items, query: QueryDict, *, per_page: int = PAGE_SIZE, param: str = "page") -> LinkedPage:
    """The page of ``items`` (a queryset: one COUNT and one LIMIT query) that ``query[param]`` asks for; a missing
    or bad number is the first page, one past the end the last (Django's ``get_page``)."""
    paginator = _LinkedPaginator(items, per_page, query=query, param=param)
    return cast(LinkedPage, paginator.get_page(query.get(param)))  # _get_page makes every page


class ApiPagination(PageNumberPagination):
    """Every JSON list: ``{"count", "next", "previous", "results"}``, ``?page=`` and ``?page_size=`` up to 1000."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
