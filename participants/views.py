from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from participants.selectors import participant_for_user, participants_for_user
from placements.selectors import placements_for_participant

PAGE_SIZE = 25


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    participants = participants_for_user(request.user)
    # A coach starts on their own caseload; "the whole unit" is one click away.
    scope = request.GET.get("scope") or ("mine" if request.user.has_role(Role.COACH) else "unit")
    if scope == "mine":
        participants = participants.filter(coach=request.user)
    query = request.GET.get("q", "").strip()
    if query:
        for word in query.split():
            participants = participants.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word)
            )
    page = Paginator(participants.order_by("last_name", "first_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "participants/caseload.html",
        {"page": page, "scope": scope, "query": query},
    )


@login_required
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    return render(
        request,
        "participants/detail.html",
        {
            "participant": participant,
            "placements": placements_for_participant(participant),
            "notes": participant.notes.select_related("author", "corrects")[:20],
        },
    )
