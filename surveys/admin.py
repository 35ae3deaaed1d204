from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import DiaryDay, ReminderMessage, SurveyAccess, SurveyLink


@admin.register(SurveyLink)
class SurveyLinkAdmin(ReadOnlyAdmin):
    list_display = ("pk", "participant", "visit", "language", "created_at", "expires_at", "revoked_at", "submitted_at")
    exclude = ("token_hash",)


@admin.register(SurveyAccess)
class SurveyAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "outcome", "reason", "address", "method", "path")
    list_filter = ("outcome",)


@admin.register(DiaryDay)
class DiaryDayAdmin(ReadOnlyAdmin):
    list_display = ("participant", "visit_code", "activity_key", "day", "entered_at", "late")
    list_filter = ("late",)


@admin.register(ReminderMessage)
class ReminderMessageAdmin(ReadOnlyAdmin):
    list_display = ("day", "kind", "channel", "participant", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "channel")
