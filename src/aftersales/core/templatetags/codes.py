"""Code-table values (product categories, order sources) shown by their names in the
user's language: `{% load codes %}{{ order.category|category_name }}`."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from aftersales.core.models import ProductCategory, Source
from aftersales.core.refcache import ProcessCache

register = template.Library()

_names = ProcessCache(
    lambda: {
        "category": dict(ProductCategory.objects.values_list("code", "name")),
        "source": dict(Source.objects.values_list("code", "name")),
    },
    models=("core.ProductCategory", "core.Source"),
)


def code_name(table: str, code: str) -> str:
    name = _names.get()[table].get(code)
    return gettext(name) if name else code


@register.filter
def category_name(code: str) -> str:
    return code_name("category", code)


@register.filter
def source_name(code: str) -> str:
    return code_name("source", code)
