"""What retention (gallring) did: counts per kind of record, never who."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """One run of retention: when, the cutoff, and how many rows of each kind went.

    Counts only, keyed by model label (``{"participants.participant": 12,
    "participants.casenote": 80, ...}``): the ids, names and numbers of the
    people deleted are kept nowhere, here or in the logs.
    """

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cutoff = models.DateField(
        _("cutoff"),
        help_text=_("Records whose last entry is older than this date are deleted."),
    )
    counts = models.JSONField(_("rows deleted"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M} ({self.cutoff:%Y-%m-%d})"

    @property
    def participants_deleted(self) -> int:
        return int(self.counts.get("participants.participant", 0))

    @property
    def rows_deleted(self) -> int:
        return sum(int(count) for count in self.counts.values())
