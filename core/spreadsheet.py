"""CSV cells that a spreadsheet shows as text, never runs as a formula.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
a formula to Excel and LibreOffice (CSV injection). A name typed into a form,
or a workplace in an import, must not become one on the machine of whoever
opens an export. Such a cell gets a leading apostrophe; imports take it off
again, so an export re-imports unchanged.
"""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _needs_apostrophe(value: str) -> bool:
    # A value that already starts with an apostrophe before a formula start
    # gets one more, so that reading it back removes exactly one.
    while value.startswith("'"):
        value = value[1:]
    return value.startswith(FORMULA_START)


def text_cell(value: str) -> str:
    """``value`` as a cell a spreadsheet shows as text."""
    return f"'{value}" if _needs_apostrophe(value) else value


def from_text_cell(value: str) -> str:
    """The inverse of :func:`text_cell`, for a cell read from a file."""
    if value.startswith("'") and _needs_apostrophe(value[1:]):
        return value[1:]
    return value
