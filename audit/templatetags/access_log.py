"""The access log's stored English, shown in the reader's language (``audit.details``)."""

from django import template

from audit.details import describe, object_type_name

register = template.Library()


@register.filter
def log_detail(detail: str) -> str:
    return describe(detail or "")


@register.filter
def log_object_type(object_type: str) -> str:
    return object_type_name(object_type or "")
