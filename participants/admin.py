from django.contrib import admin

from .models import Participant


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["identifier", "study", "site", "status", "enrolled_on"]
    list_filter = ["study", "site", "status"]
    search_fields = ["identifier"]
