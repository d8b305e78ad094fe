from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.numbers import percent
from survey.models import SurveyRound
from survey.selectors import with_response_counts
from survey.services import invitations_issue

# SurveyInvitation has no admin: the tokens are hashes and the people are
# coaches' to see (the links page, through the access helper). The round's
# list shows the counts.


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "opens_on",
        "closes_on",
        "invitations",
        "responses",
        "response_rate",
        "results_link",
    )
    fields = ("name", ("opens_on", "closes_on"), "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    date_hierarchy = "opens_on"
    search_fields = ("name",)
    actions = ["issue_invitations"]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[SurveyRound]:
        # The counts as subqueries: the list is one query, not three per row.
        return with_response_counts(super().get_queryset(request).select_related("created_by"))

    @admin.display(description=_("invitations"), ordering="invitation_count")
    def invitations(self, obj: SurveyRound) -> int:
        return obj.invitation_count

    @admin.display(description=_("responses"), ordering="response_count")
    def responses(self, obj: SurveyRound) -> int:
        return obj.response_count

    @admin.display(description=_("response rate"))
    def response_rate(self, obj: SurveyRound) -> str:
        rate = percent(obj.response_count, obj.invitation_count)
        return "–" if rate is None else f"{rate} %"

    @admin.display(description=_("results"))
    def results_link(self, obj: SurveyRound) -> str:
        return format_html(
            '<a href="{}?survey_round={}">{}</a>',
            reverse("survey_results:index"),
            obj.pk,
            _("Results"),
        )

    def save_model(self, request: HttpRequest, obj: SurveyRound, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(
        description=_("Issue invitations to everyone with an ongoing placement on the first day"),
        permissions=["change"],
    )
    def issue_invitations(self, request: HttpRequest, queryset: QuerySet[SurveyRound]) -> None:
        for survey_round in queryset:
            count = invitations_issue(survey_round=survey_round, issued_by=request.user)
            self.message_user(
                request,
                ngettext(
                    "%(round)s: %(count)d invitation issued.",
                    "%(round)s: %(count)d invitations issued.",
                    count,
                )
                % {"round": survey_round.name, "count": count},
                messages.SUCCESS,
            )
