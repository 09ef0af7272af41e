"""`{% caseload_rows rows may_record_contact %}`: the rows of 'Mijn deelnemers' written out in Python.

A page holds a hundred rows of some thirty template nodes each, and Django's template engine took
17 ms to render them, a quarter of the page's CPU (benchmarks/RESULTS.md, fifteenth session; ADR
0025). The markup is the one the template had, held equal to it by
`web/tests/test_caseload_rows.py`; every value is escaped, every text translated as before
(the same messages)."""

from collections.abc import Collection, Iterable

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from doorstroom.enrollments.selectors import CaseloadRow
from doorstroom.web.templatetags.links import link_to

register = template.Library()


@register.simple_tag
def caseload_rows(rows: Iterable[CaseloadRow], may_record_contact: Collection[int]) -> SafeString:
    signals_url = escape(reverse("signalering:dashboard"))
    paused = gettext("gepauzeerd")
    of = gettext("van")
    late = gettext("over tijd")
    none_running = gettext("Geen lopend traject")
    out: list[str] = []
    for row in rows:
        person = row.participant
        name = escape(person.full_name)
        out.append(
            f'\n    <tr>\n      <th scope="row"><a href="{link_to("participants:detail", person.uuid)}">{name}</a>'
        )
        if row.signal_count:
            counted = ngettext("%(counter)s signaal", "%(counter)s signalen", row.signal_count) % {
                "counter": row.signal_count
            }
            out.append(f' <a class="badge badge--overdue" href="{signals_url}">{counted}</a>')
        out.append("</th>\n      ")
        enrollment = row.enrollment
        if enrollment is not None:
            out.append(f"<td>{escape(enrollment.programme.name)}</td>\n      <td>")
            phase = enrollment.current_phase
            out.append(escape(phase.name if phase is not None else enrollment.get_state_display()))
            if enrollment.state == "gepauzeerd":
                out.append(f' <span class="badge badge--paused">{escape(paused)}</span>')
            out.append("</td>\n      <td>")
            progress = row.progress
            if progress is not None and progress.weeks is not None:
                if progress.overdue:
                    out.append('<span class="badge badge--overdue">')
                out.append(str(progress.weeks))
                if progress.expected:
                    out.append(f" {escape(of)} {progress.expected}")
                if progress.overdue:
                    out.append(f" – {escape(late)}</span>")
            else:
                out.append('<span class="muted">–</span>')
            out.append(f"</td>\n      <td>{escape(enrollment.get_last_event_type_display())}")
            if enrollment.last_event_on:
                out.append(f", {enrollment.last_event_on:%d-%m-%Y}")
            out.append("</td>\n      ")
        else:
            out.append(f'<td colspan="4" class="muted">{escape(none_running)}</td>\n      ')
        out.append("<td>")
        if person.pk in may_record_contact:
            target = f"contact-form-{person.uuid}"
            create = link_to("contacts:create", person.uuid)
            label = gettext('Contact vastleggen<span class="visually-hidden"> met %(name)s</span>') % {"name": name}
            out.append(
                f'<div id="{target}"><a href="{create}" hx-get="{create}" hx-target="#{target}" '
                f'hx-swap="outerHTML">{label}</a></div>'
            )
        out.append("</td>\n    </tr>\n  ")
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 - every value above is escaped
