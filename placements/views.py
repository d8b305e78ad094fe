import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.decorators import role_required
from accounts.models import Role, User
from participants.selectors import participants_for_user
from placements.filters import WorkplaceFilter
from placements.models import Placement, Workplace

PAGE_SIZE = 25
WORKPLACE_ROLES = (Role.COACH, Role.MANAGER, Role.ADMIN)


def _current(today: datetime.date) -> Q:
    """Not ended by today: ongoing, or planned to start later."""
    return Q(end_date__isnull=True) | Q(end_date__gte=today)


@role_required(*WORKPLACE_ROLES)
def workplace_list(request: HttpRequest) -> HttpResponse:
    filterset = WorkplaceFilter(request.GET, queryset=Workplace.objects.select_related("district"))
    page = Paginator(filterset.qs.order_by("name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Counted for the page's workplaces only, in one grouped query; a number, no names.
    ids = [workplace.pk for workplace in page]
    counts = dict(
        Placement.objects.filter(_current(timezone.localdate()), workplace_id__in=ids)
        .values_list("workplace")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for workplace in page:
        workplace.current_placements = counts.get(workplace.pk, 0)
    return render(
        request,
        "placements/workplace_list.html",
        {
            "page": page,
            "filterset": filterset,
            "filtering": any(request.GET.get(name) for name in WorkplaceFilter.base_filters),
        },
    )


def _placements_seen_by(user: User, placements: QuerySet[Placement]) -> QuerySet[Placement]:
    """Each placement says whether its participant may be shown to the user."""
    readable = participants_for_user(user).filter(pk=OuterRef("participant_id"))
    return placements.select_related("job_type", "participant").annotate(
        participant_readable=Exists(readable)
    )


@role_required(*WORKPLACE_ROLES)
def workplace_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workplace = get_object_or_404(Workplace.objects.select_related("district"), pk=pk)
    today = timezone.localdate()
    placements = _placements_seen_by(request.user, workplace.placements.all())
    past = Paginator(
        placements.exclude(_current(today)).order_by("-end_date", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "placements/workplace_detail.html",
        {
            "workplace": workplace,
            "current": placements.filter(_current(today)).order_by("start_date", "pk"),
            "past": past,
            "today": today,
        },
    )
