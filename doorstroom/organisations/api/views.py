from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from doorstroom.organisations.models import Organisation


class OrganisationOutput(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["uuid", "name", "kind"]


@extend_schema(tags=["organisaties"], summary="Organisaties (geen persoonsgegevens)")
class OrganisationListApi(generics.ListAPIView):
    serializer_class = OrganisationOutput
    queryset = Organisation.objects.order_by("name")
