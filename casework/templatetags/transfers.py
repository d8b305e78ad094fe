"""The count of transfer requests waiting, for the navigation's badge.

A template tag rather than a context processor: the count is asked for only
where the navigation shows the link (managers and administrators), one
COUNT query per page, and the menu itself stays in ``accounts``, a floor
below the participants it would otherwise have to count.
"""

from django import template

from participants.selectors import transfers_waiting_for

register = template.Library()


@register.simple_tag(takes_context=True)
def transfers_waiting(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return transfers_waiting_for(user).count()
