"""Admin changelists searched by POST: no search term ever appears in a URL.

A name or a personal identity number typed into the admin's search must not
end up in the browser's history, in server and proxy logs or in the page's
links. Any admin of personal data uses :class:`PrivateSearchMixin`.
"""

import secrets
import string
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.main import ChangeList, ChangeListSearchForm
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils.translation import gettext_lazy as _

SEARCH_VAR = "q"  # the admin's own search parameter: never accepted in a URL here
SEARCH_TOKEN_VAR = "qs"  # noqa: S105 - a URL parameter name: the address carries a random token
SEARCH_SUBMIT_VAR = "_search"  # marks a POST as a search, not an action on rows
SEARCH_SESSION_KEY = "admin_searches"
SEARCH_SESSION_LIMIT = 20  # the most recent searches a session keeps
# Letters only: the token can never look like, or contain, part of a personnummer.
SEARCH_TOKEN_ALPHABET = string.ascii_letters
SEARCH_TOKEN_LENGTH = 22  # about 125 bits


def _new_search_token() -> str:
    return "".join(secrets.choice(SEARCH_TOKEN_ALPHABET) for _ in range(SEARCH_TOKEN_LENGTH))


class _StoredSearchForm(ChangeListSearchForm):
    """The changelist's search form, fed the term kept in the session instead of the URL."""

    def __init__(self, data: QueryDict, *, term: str) -> None:
        super().__init__({SEARCH_VAR: term})


def stored_search_term(request: HttpRequest, model: type[models.Model]) -> str | None:
    """The term behind the URL's token, or None (no token, another model's, or expired)."""
    token = request.GET.get(SEARCH_TOKEN_VAR)
    stored = request.session.get(SEARCH_SESSION_KEY, {}).get(token) if token else None
    if not stored or stored[0] != model._meta.label:
        return None
    return stored[1]


class PrivateSearchChangeList(ChangeList):
    """A changelist whose search term comes from the session, by the token in the URL.

    The token stays in every link the changelist builds (sorting, filters,
    pages, the way back from a record), so the search holds while the user
    works through the list; it is never taken for a field lookup.
    """

    def __init__(
        self, request: HttpRequest, model: type[models.Model], *args: Any, **kwargs: Any
    ) -> None:
        self.search_form_class = partial(
            _StoredSearchForm, term=stored_search_term(request, model) or ""
        )
        super().__init__(request, model, *args, **kwargs)

    def get_filters_params(self, params: dict | None = None) -> dict:
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(SEARCH_TOKEN_VAR, None)
        return lookup_params


def refuse_autocomplete(request: HttpRequest) -> None:
    """The admin's autocomplete endpoint searches any model that has search
    fields, with the typed term in ``?term=``: never these. Pick by raw id."""
    match = request.resolver_match
    if match is not None and match.url_name == "autocomplete":
        raise PermissionDenied


class PrivateSearchMixin:
    """The changelist is searched by POST: no search term ever appears in a URL.

    A name or a personnummer in ``?q=`` ends up in the browser's history, in
    server and proxy logs and in every link of the page. Here the search form
    posts the term; it is kept in the session under a random token and the
    browser is redirected to ``?qs=<token>``, which the changelist resolves
    back to the term. A ``q`` arriving in a GET (an old bookmark, a hand-made
    address) is not searched: the user is redirected to the list without it
    and asked to use the search field, so the number leaves the address bar
    at once and is not carried into the page's links.
    """

    change_list_template = "admin/participants/private_search/change_list.html"

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return PrivateSearchChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        refuse_autocomplete(request)
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "POST" and SEARCH_SUBMIT_VAR in request.POST:
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            term = request.POST.get(SEARCH_VAR, "").strip()
            token = self._store_search(request, term) if term else None
            return self._changelist_redirect(request, token=token)
        if SEARCH_VAR in request.GET:
            messages.warning(
                request,
                _(
                    "Search with the search field: a name or personal identity number must "
                    "not be part of the address."
                ),
            )
            return self._changelist_redirect(request, token=request.GET.get(SEARCH_TOKEN_VAR))
        if SEARCH_TOKEN_VAR in request.GET and stored_search_term(request, self.model) is None:
            messages.info(request, _("The search has expired; search again."))
            return self._changelist_redirect(request, token=None)
        return super().changelist_view(request, extra_context)

    def _store_search(self, request: HttpRequest, term: str) -> str:
        token = _new_search_token()
        searches = dict(request.session.get(SEARCH_SESSION_KEY, {}))
        searches[token] = [self.model._meta.label, term]
        # Oldest first (dicts keep insertion order): keep the latest few.
        request.session[SEARCH_SESSION_KEY] = dict(list(searches.items())[-SEARCH_SESSION_LIMIT:])
        return token

    def _changelist_redirect(self, request: HttpRequest, *, token: str | None) -> HttpResponse:
        # The filters, sorting and popup flags in the address stay; the search is replaced.
        params = request.GET.copy()
        for name in (SEARCH_VAR, SEARCH_TOKEN_VAR, "p", "e"):
            params.pop(name, None)
        if token:
            params[SEARCH_TOKEN_VAR] = token
        query = params.urlencode()
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
