"""One pagination behaviour for every list: a page number out of range or unreadable opens the
nearest valid page instead of a 404 (`?page=0` the first, `?page=99` the last), as a shared or
edited link, or a list that shrank since it was opened, would expect."""

from django.core.paginator import Page, Paginator
from django.views.generic.list import MultipleObjectMixin


def nearest_page(paginator: Paginator, number: object) -> Page:
    try:
        wanted = int(str(number).strip())
    except (TypeError, ValueError):
        wanted = 1
    return paginator.page(min(max(wanted, 1), paginator.num_pages))


class NearestPageMixin(MultipleObjectMixin):
    """For ListViews: `?page=` is read with `nearest_page`, never answered with a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        page = nearest_page(paginator, self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()
