"""Survey rounds and the one-time links that invite participants to answer.

The answers themselves are ``followup.models.SurveyResponse``: a response
keeps its round and job type, and a link to the person only when they ask
for one. Nothing here may let an anonymous response be traced back to the
invitation it came from; see ``SurveyInvitation.used``.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    """The SHA-256 of a link's token, as stored. A plain hash is enough: the
    token is 128 random bits, not a password someone chose."""
    return hashlib.sha256(token.encode()).hexdigest()


class SurveyRound(models.Model):
    """One time the survey is run, e.g. "September 2026"."""

    name = models.CharField(
        _("name"), max_length=60, unique=True, help_text=_("For example “September 2026”.")
    )
    opens_on = models.DateField(
        _("opens on"),
        help_text=_("Invitations go to every participant with an ongoing placement on this day."),
    )
    closes_on = models.DateField(_("closes on"), help_text=_("The last day a link can be used."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="surveyround_closes_after_opening",
                violation_error_message=_("A round cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.closes_on


class SurveyInvitation(models.Model):
    """A participant's invitation to one round, and the hash of their link's token.

    The token itself is never stored: it is made when a coach prints the
    links and shown on that printout only. Until then ``token_hash`` is
    empty. Printing again makes a new token and the old link stops working.
    """

    survey_round = models.ForeignKey(
        SurveyRound,
        verbose_name=_("survey round"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    job_type = models.ForeignKey(
        "placements.JobType",
        verbose_name=_("job type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_hash = models.CharField(
        _("token hash"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    link_made_at = models.DateTimeField(_("link printed"), null=True, blank=True)
    link_made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("link printed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Whether the link has been used, deliberately without a time. A response
    # keeps its date, and response ids grow with time: were the time of use
    # kept here too (even as a date), ordering both sides by time, or matching
    # day and job type, would pair many anonymous responses with the person
    # who sent them. So one side, this one, keeps no time at all.
    used = models.BooleanField(_("answered"), default=False)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        ordering = ["survey_round", "id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey_round", "participant"], name="surveyinvitation_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(used=False) | Q(token_hash__isnull=False),
                name="surveyinvitation_used_only_with_a_link",
            ),
        ]
        indexes = [
            models.Index(fields=["survey_round", "used"], name="surveyinvitation_round_used"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_round_id}: {self.participant_id}"
