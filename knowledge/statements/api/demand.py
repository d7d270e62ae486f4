"""``/api/v1/demand/``: the network's declared demand as JSON, plus CSV and JSON exports.

Public (no sign-in): the figures are built from public content only (see
:mod:`knowledge.statements.network_demand`). Unknown filters or values answer 400 with
``{"detail", "errors"}``.
"""

from __future__ import annotations

from django.http import HttpResponse
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from knowledge.statements import network_demand
from knowledge.statements.api.serializers import StatementErrorSerializer
from network.categories import DeviceCategory

COUNTRY_CODES = sorted(code for code, _name in countries)

PARAMETERS = [
    OpenApiParameter("category", str, enum=list(DeviceCategory.values), description="Device category."),
    OpenApiParameter(
        "country", str, enum=COUNTRY_CODES, description="ISO 3166 alpha-2 code of the buyers' country."
    ),
    OpenApiParameter(
        "cpv",
        str,
        pattern=r"^\d{2,8}(-\d)?$",
        description="CPV digits: a division (30) or a code (30213100-6).",
    ),
    OpenApiParameter("statement", str, description="Slug of one statement open for signature."),
]
BAD_FILTER = {
    400: OpenApiResponse(StatementErrorSerializer, description="Unknown filter or value."),
    409: OpenApiResponse(
        StatementErrorSerializer,
        description="`statement` names no statement open for signature (missing, draft or closed alike).",
    ),
}


class BuyerSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    country = serializers.CharField()
    units = serializers.IntegerField()


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    units = serializers.DictField(child=serializers.IntegerField(), help_text="Units a year per category.")
    total = serializers.IntegerField()
    buyers = BuyerSerializer(many=True, help_text="The named buyers behind the figure.")


class NetworkDemandSerializer(serializers.Serializer):
    filters = serializers.DictField(child=serializers.CharField())
    categories = serializers.ListField(child=serializers.CharField())
    total_units = serializers.IntegerField()
    signatory_organisations = serializers.IntegerField()
    disclosing_organisations = serializers.IntegerField()
    undisclosed_organisations = serializers.IntegerField(
        help_text="Organisations that signed without publishing volumes: counted, never summed."
    )
    statements = serializers.IntegerField()
    by_category = RowSerializer(many=True)
    by_country = RowSerializer(many=True)
    by_statement = RowSerializer(many=True)
    by_year = RowSerializer(many=True)


class DeclarationSerializer(serializers.Serializer):
    statement = serializers.CharField()
    statement_title = serializers.CharField()
    organisation = serializers.CharField()
    organisation_slug = serializers.CharField()
    country = serializers.CharField()
    category = serializers.CharField()
    units_per_year = serializers.IntegerField()
    signed_on = serializers.DateField()
    revision = serializers.IntegerField()


class DeclarationsExportSerializer(serializers.Serializer):
    filters = serializers.DictField(child=serializers.CharField())
    undisclosed_organisations = serializers.IntegerField()
    declarations = DeclarationSerializer(many=True)


class _DemandView(APIView):
    permission_classes = [permissions.AllowAny]

    def demand(self, request: Request) -> network_demand.NetworkDemand:
        return network_demand.network_demand(network_demand.clean_filters(request.query_params))


@extend_schema(
    summary="Declared demand across the network: disclosed yearly volumes of open statements",
    parameters=PARAMETERS,
    responses={200: NetworkDemandSerializer, **BAD_FILTER},
    tags=["demand"],
)
class NetworkDemandView(_DemandView):
    def get(self, request: Request) -> Response:
        return Response(network_demand.as_data(self.demand(request)))


@extend_schema(
    summary="Disclosed declarations behind the network demand, as JSON",
    parameters=PARAMETERS,
    responses={200: DeclarationsExportSerializer, **BAD_FILTER},
    tags=["demand"],
)
class NetworkDemandJsonView(_DemandView):
    def get(self, request: Request) -> Response:
        demand = self.demand(request)
        response = Response(
            {
                "filters": demand.filters.as_dict(),
                "undisclosed_organisations": demand.undisclosed_organisations,
                "declarations": network_demand.declarations_data(demand),
            }
        )
        response["Content-Disposition"] = 'attachment; filename="network-demand.json"'
        return response


@extend_schema(
    summary="Disclosed declarations behind the network demand, as CSV",
    parameters=PARAMETERS,
    responses={(200, "text/csv"): OpenApiTypes.STR, **BAD_FILTER},
    tags=["demand"],
)
class NetworkDemandCsvView(_DemandView):
    def get(self, request: Request) -> HttpResponse:
        demand = self.demand(request)
        response = HttpResponse(
            network_demand.declarations_csv(demand), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="network-demand.csv"'
        return response
