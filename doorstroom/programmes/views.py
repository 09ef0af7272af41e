"""Programme pages: the shipped and local designs, and the board of who is where."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.enrollments import selectors as enrollment_selectors


@login_required
def programme_list(request: access.AuthenticatedRequest) -> HttpResponse:
    programmes = access.programmes_usable_by(request.user).select_related("municipality").prefetch_related("phases")
    return TemplateResponse(request, "programmes/programme_list.html", {"programmes": programmes, "nav": "programmes"})


@login_required
def programme_board(request: access.AuthenticatedRequest, code: str) -> HttpResponse:
    """One column per phase with the count and the names of the participants the user may see."""
    programme = (
        access.programmes_usable_by(request.user).prefetch_related("outcomes", "groups").filter(code=code).first()
    )
    if programme is None:
        raise Http404
    columns = enrollment_selectors.programme_board(
        programme=programme, enrollments=access.enrollments_visible_to(request.user), today=clock.today()
    )
    access.record_list(
        request.user,
        [enrollment.participant for column in columns for enrollment, _ in column.cards],
        object_type="programme_board",
    )
    return TemplateResponse(
        request,
        "programmes/programme_board.html",
        {"programme": programme, "columns": columns, "nav": "programmes"},
    )
