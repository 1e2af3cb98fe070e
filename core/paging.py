"""A paginator for tables too big to count: it counts up to a limit and knows only "more than" past it."""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet


class CappedCountPaginator(Paginator):
    """Counts at most `cap` + 1 rows (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`), so the count's cost stops growing
    with the table; `is_capped` says the real count is larger. Pages run to just past the cap: deeper than that,
    a filter (a date range) finds entries faster than paging does."""

    def __init__(self, object_list: QuerySet, per_page: int, *, cap: int, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.queryset = object_list
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.queryset.order_by()[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap
