"""`{% load export %}{% export_links %}`: CSV and XLSX links for the list on screen, with its
filters (the current query string minus `page`). A page with two lists names the one a link
is for: `{% export_links list="trips" %}` (a value of "" drops the parameter)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from aftersales.core.export import FORMATS

register = template.Library()


@register.simple_tag(takes_context=True)
def export_links(context: template.Context, **params: str) -> str:
    request = context["request"]
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in params.items():
        query.pop(key, None)
        if value:
            query[key] = value
    links = []
    for fmt in FORMATS:
        query["format"] = fmt
        links.append(
            format_html(
                '<a class="button secondary" href="?{}" download>{}</a>',
                query.urlencode(),
                fmt.upper(),
            )
        )
    return format_html(
        '<span class="export noprint">{}: {}</span>',
        gettext("Export"),
        format_html(" ".join(["{}"] * len(links)), *links),
    )
