# The Lock model moves from monitoring to participants (every write to a participant's data asks it).
# The table is kept: the model is created in the state only, over monitoring's table, which is then renamed.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0001_initial"),
        ("participants", "0002_anchordate_consent_personalidentifiers_screening_and_more"),
        ("monitoring", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Lock",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "scope",
                            models.CharField(
                                choices=[("form", "Form"), ("visit", "Visit"), ("participant", "Participant")],
                                max_length=20,
                                verbose_name="scope",
                            ),
                        ),
                        ("visit_code", models.CharField(blank=True, max_length=64, verbose_name="visit")),
                        ("reason", models.TextField(blank=True, verbose_name="reason")),
                        ("locked_at", models.DateTimeField(verbose_name="locked at")),
                        ("unlocked_at", models.DateTimeField(blank=True, null=True, verbose_name="unlocked at")),
                        ("unlock_reason", models.TextField(blank=True, verbose_name="reason for unlocking")),
                        (
                            "locked_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "participant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="locks",
                                to="participants.participant",
                            ),
                        ),
                        (
                            "response",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="locks",
                                to="instruments.response",
                            ),
                        ),
                        (
                            "unlocked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-locked_at", "-pk"],
                        "db_table": "monitoring_lock",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("scope", "form"), ("unlocked_at__isnull", True)),
                                fields=("response",),
                                name="one_active_form_lock",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("scope", "visit"), ("unlocked_at__isnull", True)),
                                fields=("participant", "visit_code"),
                                name="one_active_visit_lock",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("scope", "participant"), ("unlocked_at__isnull", True)),
                                fields=("participant",),
                                name="one_active_participant_lock",
                            ),
                        ],
                    },
                )
            ]
        ),
        migrations.AlterModelTable(name="lock", table=None),
    ]
