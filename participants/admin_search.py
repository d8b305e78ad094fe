"""Admin search that finds a participant by any written form of personnummer."""

from django.db.models import QuerySet
from django.http import HttpRequest

from audit.models import Action
from audit.services import log_access
from core.admin_search import PrivateSearchMixin, refuse_autocomplete
from participants.personnummer import PersonnummerError, normalise


class PersonnummerSearchMixin(PrivateSearchMixin):
    """Admin search that also finds a participant by any written form of personnummer.

    A term that parses as a personnummer (12 digits, with hyphen, or 10 digits
    with ``-``/``+``) is normalised and matched exactly; anything else goes to
    the ordinary search over ``search_fields``. The term travels by POST
    (PrivateSearchMixin), never in the address.
    """

    personnummer_lookup = "personnummer"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        refuse_autocomplete(request)
        try:
            number = normalise(search_term)
        except PersonnummerError:
            return super().get_search_results(request, queryset, search_term)
        # That someone looked a person up by number, never the number.
        log_access(
            action=Action.SEARCH,
            object_type=queryset.model._meta.model_name,
            detail="personnummer search",
            request=request,
        )
        return queryset.filter(**{self.personnummer_lookup: number}), False
