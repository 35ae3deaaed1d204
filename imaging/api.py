"""JSON API for derived measures: read-only, the same access checks and scoped queryset as the CSV download, the
same fields as the long CSV (imaging.services.measures_export.measure_record)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView

from core.pagination import ApiPagination
from studies.access import study_for_user

from .access import require_measures_export
from .models import Kind
from .selectors import measures_for_user
from .services.measures_export import measure_record, measure_rows, measures_api_read


class MeasurePagination(ApiPagination):
    # A study's measures run to tens of thousands; pages keep each answer small. ?page_size= up to 5000.
    page_size = 500
    max_page_size = 5000


class MeasureSerializer(serializers.BaseSerializer):
    def to_representation(self, instance):
        return measure_record(instance)


class MeasureListView(ListAPIView):
    """GET ?study=<code> (required), filters participant (study ID), visit, name, kind; paginated (?page=)."""

    serializer_class = MeasureSerializer
    pagination_class = MeasurePagination

    def get_queryset(self):
        params = self.request.query_params
        code = params.get("study", "").strip()
        if not code:
            raise ValidationError({"study": [_("Give the study code, for example ?study=ABC.")]})
        study = study_for_user(self.request.user, code)
        require_measures_export(self.request.user, study)
        kind = params.get("kind", "").strip()
        if kind and kind not in Kind.values:
            raise ValidationError(
                {
                    "kind": [
                        _("Unknown kind %(kind)s; use one of: %(kinds)s.")
                        % {"kind": kind, "kinds": ", ".join(Kind.values)}
                    ]
                }
            )
        measures = measures_for_user(self.request.user, study)
        filters = {
            "data_file__participant__identifier": params.get("participant", "").strip(),
            "data_file__visit_code": params.get("visit", "").strip(),
            "name": params.get("name", "").strip(),
            "data_file__kind": kind,
        }
        measures = measures.filter(**{field: value for field, value in filters.items() if value})
        measures_api_read(user=self.request.user, study=study)
        return measure_rows(measures)
