"""Reading a page's form as a browser would submit it."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_index: int | None, action_contains: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.form_index, self.action_contains = form_index, action_contains
        self.forms_seen = -1
        self.active = False
        self.select: str | None = None
        self.select_value: str | None = None
        self.select_first: str | None = None
        self.select_multiple = False
        self.option_value: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def _want(self, attrs: dict) -> bool:
        if self.action_contains is not None:
            return self.action_contains in (attrs.get("action") or "")
        return self.forms_seen == (self.form_index or 0)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms_seen += 1
            self.active = self._want(attrs)
            return
        if not self.active:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select, self.select_value, self.select_first = name, None, None
            self.select_multiple = "multiple" in attrs
        elif tag == "option" and self.select:
            value = attrs.get("value") or ""
            if self.select_first is None:
                self.select_first = value
            if "selected" in attrs:
                if self.select_multiple:
                    self.fields.append((self.select, value))
                else:
                    self.select_value = value
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.active = False
        elif tag == "select" and self.select:
            if not self.select_multiple:
                value = self.select_value if self.select_value is not None else self.select_first
                self.fields.append((self.select, value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, self.text.strip("\n")))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def form_fields(
    html: str, *, index: int | None = None, action: str | None = None
) -> list[tuple[str, str]]:
    """The (name, value) pairs the form would submit as it stands (no CSRF token).

    The form with the given index, or whose action contains the text, or else the page's
    largest form (the admin's change form, not its log-out button).
    """
    if index is None and action is None:
        best: list[tuple[str, str]] = []
        for i in range(html.count("<form")):
            fields = form_fields(html, index=i)
            if len(fields) > len(best):
                best = fields
        return best
    parser = _FormParser(index, action)
    parser.feed(html)
    return [(name, value) for name, value in parser.fields if name != "csrfmiddlewaretoken"]


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    kept = [(name, value) for name, value in fields if name not in values]
    return kept + list(values.items())
