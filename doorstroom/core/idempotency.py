"""Idempotency-Key on the API's POSTs (issue 12): a client that did not hear the answer may send the
same request again with the same key and gets the first answer, after its access has been checked
again, and the thing is done once. The same key with another body is a mistake (422); the same key
while the first is still running is a conflict (409).

Each POST view declares how its access is checked again for a replay (the same door as a read of what
it made); a POST that only reads (a search) is run again instead of replayed."""

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from . import shown
from .messages import _
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII without spaces, at most 200 characters
#: a key left "in progress" by a worker that died is free again after this long
STALE = timedelta(minutes=5)
KEPT = timedelta(days=1)

Recheck = Callable[[Any, dict[str, Any], Any], Any]  # raises when the reader may no longer see it

#: what a reader may see of each of these participants' files now (`(user, participant pks) ->
#: {pk: categories}`); the access layer registers it (`access.apps`), since core sits below it.
#: Until it has, a replay that showed anything of a file is refused.
visible_categories: Callable[[Any, set[int]], dict[int, frozenset[str]]] | None = None


def _still_visible(user: Any, shown_before: dict[str, list[str]]) -> bool:
    """Whether the reader may still see every category of every file the first answer showed."""
    if not shown_before:
        return True
    if visible_categories is None:
        return False
    now = visible_categories(user, {int(pk) for pk in shown_before})
    return all(set(categories) <= now.get(int(pk), frozenset()) for pk, categories in shown_before.items())


def _error(status: int, message: str, code: str) -> Response:
    return Response({"errors": [{"field": HEADER, "message": str(message), "code": code}]}, status=status)


def fingerprint(method: str, path: str, data: Any) -> str:
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{body}".encode()).hexdigest()


def _claim(user: Any, key: str, print_: str) -> tuple[str, IdempotentRequest | None]:
    """("new", row) when this request may run; ("done", row) for a replay; ("mismatch"|"busy", None)."""
    now = timezone.now()
    with transaction.atomic():
        row = IdempotentRequest.objects.select_for_update().filter(user=user, key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(user=user, key=key, fingerprint=print_, started_at=now)
            except IntegrityError:  # claimed by a request running at the same moment
                return "busy", None
            return "new", row
        if row.fingerprint != print_:
            return "mismatch", None
        if row.state == IdempotentRequest.DONE:
            return "done", row
        if row.started_at < now - STALE:  # its worker died: this request takes it over
            row.started_at = now
            row.save(update_fields=["started_at"])
            return "new", row
        return "busy", None


def idempotent(recheck: Recheck | None, *, replay: bool = True) -> Callable[..., Any]:
    """Decorate an API view's `post`. `recheck(user, kwargs, answer)` raises when the reader may no
    longer see what the first request made (the access door, as for a read); `replay=False` for a
    POST that only reads: it is run again, so nothing of its answer is kept."""

    def wrap(post: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(post)
        def handler(view: Any, request: Any, *args: Any, **kwargs: Any) -> Response:
            key = request.headers.get(HEADER)
            if key is None:
                return post(view, request, *args, **kwargs)
            if not KEY.match(key):
                return _error(
                    400, _("Een Idempotency-Key is 1 tot 200 tekens, zonder spaties."), "invalid_idempotency_key"
                )
            print_ = fingerprint(request.method, request.path, request.data)
            state, row = _claim(request.user, key, print_)
            if state == "mismatch":
                return _error(
                    422,
                    _("Deze Idempotency-Key is al gebruikt voor een ander verzoek. Gebruik per verzoek een nieuwe."),
                    "idempotency_key_reused",
                )
            if state == "busy":
                return _error(
                    409,
                    _("Een verzoek met deze Idempotency-Key wordt nog verwerkt. Probeer het zo opnieuw."),
                    "idempotency_key_in_use",
                )
            assert row is not None  # noqa: S101 - "new" and "done" carry their row
            if state == "done" and replay:
                answer = json.loads(row.answer) if row.answer else None
                if recheck is not None:
                    recheck(request.user, kwargs, answer)
                if not _still_visible(request.user, row.shown):
                    return _error(
                        403,
                        _(
                            "Het eerste antwoord op dit verzoek kan niet opnieuw worden getoond: u mag niet meer "
                            "alles zien wat erin stond. Het verzoek is wel uitgevoerd; vraag het opnieuw op."
                        ),
                        "idempotency_access_changed",
                    )
                response = Response(answer, status=row.status_code or 200)
                response["Idempotent-Replayed"] = "true"
                return response
            try:
                with transaction.atomic(), shown.collecting() as showed:  # the work and its answer commit together
                    response = post(view, request, *args, **kwargs)
                    if 200 <= response.status_code < 300:
                        row.state = IdempotentRequest.DONE
                        row.status_code = response.status_code
                        row.answer = JSONRenderer().render(response.data).decode() if replay else ""
                        row.shown = {str(pk): sorted(categories) for pk, categories in showed.items()} if replay else {}
                        row.finished_at = timezone.now()
                        row.save(update_fields=["state", "status_code", "answer", "shown", "finished_at"])
            except BaseException:
                IdempotentRequest.objects.filter(pk=row.pk, state=IdempotentRequest.IN_PROGRESS).delete()
                raise
            if not 200 <= response.status_code < 300:  # refused: nothing was done, the key is free again
                IdempotentRequest.objects.filter(pk=row.pk, state=IdempotentRequest.IN_PROGRESS).delete()
            return response

        handler.idempotent = True  # type: ignore[attr-defined]  # the API tests check every POST has it
        return handler

    return wrap


def purge(now: Any = None) -> int:
    """Forget keys older than a day (their answers with them)."""
    cutoff = (now or timezone.now()) - KEPT
    deleted, _by_model = IdempotentRequest.objects.filter(started_at__lt=cutoff).delete()
    return deleted
