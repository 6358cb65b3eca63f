"""The refusal every action may answer with: what to tell the person, and beside which field.

A service that refuses (a wrong code, a closed reading window, a limit reached) raises a
`Refusal` — or its app's own subclass, so that a caller can catch one app's refusals only — and
the view shows `message` beside the form field `field` names (None: above the whole form). The
message is in Russian, written for the person, and never carries a stack trace. `code` is the
same refusal for a program (the API answers it): short, stable, in English, never translated.
"""


class Refusal(Exception):
    code = "refused"

    def __init__(self, message: str, field: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
