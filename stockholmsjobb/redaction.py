"""No personnummer in log lines or error e-mails, whatever the code around it does.

Our own code logs ids and counts only; these are the second line of defence
for what it does not control: database errors quote the offending values
(PostgreSQL's ``Key (personnummer)=(…) already exists``), tracebacks list
local variables, and error e-mails carry the request's form data.

- :class:`RedactPersonnummer`, a logging filter on every handler: it masks
  anything shaped like a personnummer in the message and the traceback.
- :class:`PersonalDataReporterFilter` (``DEFAULT_EXCEPTION_REPORTER_FILTER``):
  in production an error report shows no form value and no local variable.
- :class:`PersonalDataExceptionReporter` (``DEFAULT_EXCEPTION_REPORTER``):
  masks personnummer in the exception's text of the report.
"""

import logging
import re
from typing import Any

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# 10 or 12 digits, with or without the separator: every written form of a
# personnummer or samordningsnummer (and of a phone number, also personal).
PERSONNUMMER_LIKE = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
MASK = "[personnummer]"


def redact(text: str) -> str:
    return PERSONNUMMER_LIKE.sub(MASK, text)


class RedactPersonnummer(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    """Hide every form value and every local variable, not only the "sensitive" ones."""

    def get_post_parameters(self, request: Any) -> Any:
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        cleansed = request.POST.copy()
        for name in cleansed:
            cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list:
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class PersonalDataExceptionReporter(ExceptionReporter):
    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if self.filter.is_active(self.request):
            for key in ("exception_value", "exception_notes"):
                if isinstance(data.get(key), str):
                    data[key] = redact(data[key])
            for frame in data.get("frames", []):
                frame["exc_cause"] = (
                    redact(str(frame["exc_cause"])) if frame.get("exc_cause") else None
                )
        return data
