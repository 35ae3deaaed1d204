from django.urls import path

from . import views
from .views import assays, products, shipments

app_name = "biobank"

urlpatterns = [
    path("participants/<int:participant_id>/", views.participant_specimens, name="participant-specimens"),
    path("participants/<int:participant_id>/collect/", views.specimen_collect, name="specimen-collect"),
    path(
        "participants/<int:participant_id>/not-collected/", views.specimen_not_collected, name="specimen-not-collected"
    ),
    path("specimens/<int:specimen_id>/", views.specimen_detail, name="specimen-detail"),
    path("specimens/<int:specimen_id>/aliquot/", views.specimen_aliquot, name="specimen-aliquot"),
    path("specimens/<int:specimen_id>/place/", views.specimen_place, name="specimen-place"),
    path("specimens/<int:specimen_id>/check/", views.specimen_check, name="specimen-check"),
    path("specimens/<int:specimen_id>/dispose/", views.specimen_dispose, name="specimen-dispose"),
    path("specimens/<int:specimen_id>/labels.pdf", views.specimen_labels, name="specimen-labels"),
    path("<slug:study_code>/storage/", views.storage_list, name="storage-list"),
    path("<slug:study_code>/find/", views.specimen_find, name="specimen-find"),
    path("<slug:study_code>/specimens/", views.specimen_list, name="specimen-list"),
    path("freezers/<int:freezer_id>/", views.freezer_detail, name="freezer-detail"),
    path("<slug:study_code>/shipments/", shipments.shipment_list, name="shipment-list"),
    path("shipments/<int:shipment_id>/", shipments.shipment_detail, name="shipment-detail"),
    path("shipments/<int:shipment_id>/manifest.csv", shipments.shipment_manifest, name="shipment-manifest"),
    path("participants/<int:participant_id>/consent-uses/", shipments.consent_uses, name="consent-uses"),
    path("<slug:study_code>/assays/", assays.assay_import, name="assay-import"),
    path("specimens/<int:specimen_id>/release/", products.product_release, name="product-release"),
    path("specimens/<int:specimen_id>/dispense/", products.product_dispense, name="product-dispense"),
]
