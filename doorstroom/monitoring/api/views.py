"""Reports as JSON: the same figures as the page, computed for the caller through their report scope."""

from typing import Any

from django.utils.translation import gettext

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from doorstroom.access import policy as access
from doorstroom.monitoring import services
from doorstroom.participants.api.views import ErrorOutput


class CellOutput(serializers.Serializer):  # type: ignore[type-arg]
    value = serializers.FloatField(allow_null=True, help_text="Het getal; leeg als het verborgen is.")
    shown = serializers.CharField(help_text="Zoals het getoond wordt: het getal, '<5' (klein aantal) of '·'.")
    hidden = serializers.ChoiceField(
        choices=["primary", "secondary", "within_small"],
        allow_null=True,
        help_text=(
            "primary: een klein aantal; secondary: verborgen zodat een klein aantal (ook een kleine verandering "
            "sinds vorige maand) niet terug te rekenen is; "
            "within_small: deel van een klein totaal (0 tot de drempel)."
        ),
    )


class RowOutput(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    name = serializers.CharField()
    cells = serializers.DictField(child=CellOutput())


class ColumnOutput(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "count", "share", "number"])


class TableOutput(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(help_text="Code uit het indicatorregister (docs/monitoring.md).")
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    chart = serializers.ChoiceField(choices=["bar", "line", ""])
    columns = ColumnOutput(many=True)
    rows = RowOutput(many=True)


class PartOutput(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField(help_text="'geheel', of het id van één programma uit de groep.")
    title = serializers.CharField(allow_blank=True)
    tables = TableOutput(many=True)


class ReportOutput(serializers.Serializer):  # type: ignore[type-arg]
    parameters = serializers.DictField(help_text="De parameters zoals de rapportage ze gebruikte.")
    definition_version = serializers.CharField()
    computed_at = serializers.CharField()
    suppressed = serializers.BooleanField(help_text="Kleine aantallen zijn verborgen.")
    threshold = serializers.IntegerField()
    outside = serializers.BooleanField(help_text="Gemaakt voor gebruik buiten de organisatie.")
    parts = PartOutput(many=True)


class ListedParticipant(serializers.Serializer):  # type: ignore[type-arg]
    uuid = serializers.UUIDField()
    name = serializers.CharField()


class DrilldownOutput(serializers.Serializer):  # type: ignore[type-arg]
    participants = ListedParticipant(many=True)
    not_listed = serializers.IntegerField(help_text="Meegeteld, maar niet met u gedeeld: geteld, nooit getoond.")


PARAMETERS = [
    OpenApiParameter("programma", str, many=True, description="Code van een programma (herhaalbaar: een groep)."),
    OpenApiParameter("gemeente", str, many=True, description="Uuid van een gemeente."),
    OpenApiParameter("regio", str, description="Uuid van een regio."),
    OpenApiParameter("basis", str, enum=["aangemeld", "gestart"], description="Cohort op aanmeld- of startdatum."),
    OpenApiParameter("van", str, description="Begin van de periode (JJJJ-MM-DD)."),
    OpenApiParameter("tot", str, description="Einde van de periode, tot en met."),
    OpenApiParameter("peildatum", str, description="Stand per deze datum (standaard vandaag)."),
    OpenApiParameter("geheel", str, enum=["ja", "nee"], description="Een groep ook als één geheel."),
    OpenApiParameter("buiten", str, enum=["ja", "nee"], description="Voor gebruik buiten de organisatie: verborgen."),
]
CELL_PARAMETERS = [
    OpenApiParameter("deel", str, required=True, description="'geheel' of het id van een programma."),
    OpenApiParameter("tabel", str, required=True),
    OpenApiParameter("rij", str, required=True),
    OpenApiParameter("kolom", str, required=True),
]


def _split(query: Any, names: tuple[str, ...]) -> tuple[dict[str, list[str]], dict[str, str]]:
    rest = {key: query.getlist(key) for key in query if key not in names}
    picked = {key: query.get(key, "") for key in names}
    return rest, picked


@extend_schema(tags=["rapportages"])
class ReportApi(generics.GenericAPIView):
    serializer_class = ReportOutput
    pagination_class = None

    @extend_schema(
        summary="Een rapportage: trechter, redenen, resultaten, tijd, uren, voortgang, doelen en blijvers",
        parameters=PARAMETERS,
        responses={200: ReportOutput, 400: ErrorOutput, 403: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        user = access.authenticated_user(request.user)
        access.report_scope(user)  # 403 before any parameter is looked up
        query, picked = _split(request.query_params, ("buiten",))
        if "buiten" in request.query_params and picked["buiten"] not in ("ja", "nee"):
            raise ValidationError({"buiten": [gettext("Kies 'ja' of 'nee'.")]})
        parameters = services.parameters_from(user, query)
        report, _members = services.report_compute(user, parameters, outside=picked["buiten"] == "ja")
        access.record_report(user, what="report")
        return Response(ReportOutput(report).data)


@extend_schema(tags=["rapportages"])
class ReportDrilldownApi(generics.GenericAPIView):
    serializer_class = DrilldownOutput
    pagination_class = None

    @extend_schema(
        summary="De deelnemers achter één getal, voor wie ze mag zien",
        parameters=PARAMETERS[:-1] + CELL_PARAMETERS,
        responses={200: DrilldownOutput, 400: ErrorOutput, 403: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        user = access.authenticated_user(request.user)
        access.report_scope(user)
        query, cell = _split(request.query_params, ("deel", "tabel", "rij", "kolom"))
        missing = {name: [gettext("Dit veld is verplicht.")] for name, value in cell.items() if not value}
        if missing:
            raise ValidationError(missing)
        parameters = services.parameters_from(user, query)
        people, more = services.report_drilldown(
            user, parameters, part=cell["deel"], table=cell["tabel"], row=cell["rij"], column=cell["kolom"]
        )
        return Response(
            DrilldownOutput(
                {"participants": [{"uuid": p.uuid, "name": p.full_name} for p in people], "not_listed": more}
            ).data
        )
