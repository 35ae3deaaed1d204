"""Serializers of /api/v1/: read-only views of rows the caller already may see (the views scope them)."""

from rest_framework import serializers

from biobank.models import Specimen
from imaging.models import DataFile
from imaging.services.measures_export import measure_record
from participants.models import Participant, Visit
from participants.selectors import visit_status_of
from queries.models import Query
from studies.models import Site, Study


class StudySerializer(serializers.ModelSerializer):
    class Meta:
        model = Study
        fields = ["code", "title", "title_zh", "design", "blinding", "protocol_version"]


class SiteSerializer(serializers.ModelSerializer):
    study = serializers.CharField(source="study.code", read_only=True)

    class Meta:
        model = Site
        fields = ["id", "study", "code", "name", "name_zh"]


class ArmSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ParticipantSerializer(serializers.ModelSerializer):
    """The study ID, site and status; ``arm`` only for a role that sees arms (None otherwise); ``personal`` only
    for a role that may see identifiers (None otherwise). The view says which (context)."""

    study = serializers.CharField(source="study.code", read_only=True)
    site = serializers.CharField(source="site.code", read_only=True)
    arm = serializers.SerializerMethodField()
    personal = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = ["id", "study", "site", "identifier", "status", "enrolled_on", "withdrawn_on", "arm", "personal"]

    def get_arm(self, participant) -> str | None:
        return participant.arm_code or None if participant.study_id in self.context["arm_studies"] else None

    def get_personal(self, participant) -> dict | None:
        if participant.study_id not in self.context["identifier_studies"]:
            return None
        personal = getattr(participant, "personal_identifiers", None)
        if personal is None:
            return None
        return {
            "full_name": personal.full_name,
            "phone": personal.phone,
            "national_id": personal.national_id,
            "date_of_birth": personal.date_of_birth,
        }


class VisitSerializer(serializers.ModelSerializer):
    participant_identifier = serializers.CharField(source="participant.identifier", read_only=True)
    window_status = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "participant",
            "participant_identifier",
            "visit_code",
            "sequence",
            "target_date",
            "window_start",
            "window_end",
            "estimated",
            "completed_on",
            "missed",
            "cancelled",
            "window_status",
        ]

    def get_window_status(self, visit) -> str:
        return visit_status_of(visit, self.context["today"])


class QuerySerializer(serializers.ModelSerializer):
    study = serializers.CharField(source="study.code", read_only=True)
    site = serializers.CharField(source="site.code", read_only=True)
    participant_identifier = serializers.CharField(source="participant.identifier", read_only=True)

    class Meta:
        model = Query
        fields = [
            "id",
            "study",
            "site",
            "participant",
            "participant_identifier",
            "visit_code",
            "activity_key",
            "item_code",
            "text",
            "text_zh",
            "status",
            "origin",
            "rule_code",
            "raised_at",
            "updated_at",
        ]


class AcquisitionSerializer(serializers.ModelSerializer):
    """A data file's metadata (never the stored bytes nor the original file name, which may carry a name)."""

    study = serializers.CharField(source="study.code", read_only=True)

    class Meta:
        model = DataFile
        fields = [
            "id",
            "study",
            "participant",
            "visit_code",
            "kind",
            "sha256",
            "size",
            "uploaded_at",
            "link_status",
            "recorded_at",
            "out_of_window",
            "deidentified",
        ]


class SpecimenSerializer(serializers.ModelSerializer):
    """A specimen or aliquot (biobank): its non-identifying ID, lineage, processing and SPREC; no storage position
    (the box map is the biobank's page) and nothing about the participant beyond their id."""

    study = serializers.CharField(source="study.code", read_only=True)
    visit_code = serializers.CharField(source="visit.visit_code", read_only=True, default=None)

    class Meta:
        model = Specimen
        fields = [
            "id",
            "label_id",
            "study",
            "participant",
            "visit_code",
            "activity_key",
            "type_code",
            "status",
            "parent",
            "collected_at",
            "volume_ml",
            "centrifuged_at",
            "frozen_at",
            "sprec",
        ]


class MeasureSerializer(serializers.Serializer):
    """A derived measure as imaging's long CSV row (imaging.services.measures_export.measure_record); the fields
    are spelt out here so the schema can describe them."""

    participant = serializers.CharField()
    site = serializers.CharField()
    visit = serializers.CharField()
    kind = serializers.CharField()
    measure = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    unit = serializers.CharField()
    estimate = serializers.BooleanField()
    software = serializers.CharField()
    file_id = serializers.IntegerField()
    file_sha256 = serializers.CharField()
    computed_at = serializers.CharField()

    def to_representation(self, instance):
        return measure_record(instance)
