"""Form behaviour every page shares: errors linked to their fields for screen readers."""

from typing import Any

from django import forms
from django.utils.translation import gettext


class AccessibleFormMixin:
    """Marks invalid fields with aria-invalid and links help and error texts via aria-describedby."""

    fields: dict[str, forms.Field]
    errors: Any
    _errors: Any

    def _link_descriptions(self) -> None:
        errors = self._errors or {}  # never trigger validation from here
        for name, field in self.fields.items():
            described = []
            if field.help_text:
                described.append(f"id_{name}-help")
            if name in errors:
                described.append(f"id_{name}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
            field.grouped = isinstance(  # type: ignore[attr-defined]
                field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect
            )

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        # a hidden field (the version a form was loaded with) is nothing the user typed: its shape
        # errors say what to do, never "Version: ..." (rule errors added later keep their own words)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if field.widget.is_hidden and name in self._errors:  # type: ignore[attr-defined]
                self._errors[name] = self.error_class(  # type: ignore[attr-defined]
                    [gettext("Dit formulier is niet compleet geladen. Laad de pagina opnieuw en probeer het nog eens.")]
                )
        self._link_descriptions()

    def add_domain_error(self, error: Exception) -> None:
        """Attach a DomainError to the field it names, or to the form as a whole; every error of a
        DomainErrors at once."""
        for one in getattr(error, "errors", None) or [error]:
            field = getattr(one, "field", None)
            message = getattr(one, "shown", None) or getattr(one, "message", str(one))
            self.add_error(field if field in self.fields else None, message)  # type: ignore[attr-defined]
        self._link_descriptions()


class Form(AccessibleFormMixin, forms.Form):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._link_descriptions()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(attrs=attrs, format="%Y-%m-%d")
