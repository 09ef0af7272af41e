from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from doorstroom.access import policy as access
from doorstroom.organisations.models import Organisation


class OrganisationOutput(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["uuid", "name", "kind"]


@extend_schema(tags=["organisaties"], summary="Organisaties (geen persoonsgegevens)")
class OrganisationListApi(generics.ListAPIView):
    serializer_class = OrganisationOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return access.organisations_visible_to(access.authenticated_user(self.request.user))
