"""Seeds become decimal text (a server-drawn seed has 128 bits) and every list records its SHA-256.

Existing integer seeds keep their decimal form, so existing lists still reproduce from them. The hash of a list
made before this migration is computed from its stored slots, with the formula of randomisation.lists.list_sha256
(copied here: a migration must not change when that module does).
"""

import hashlib

from django.db import migrations, models


def hash_existing_lists(apps, schema_editor):
    AllocationList = apps.get_model("randomisation", "AllocationList")
    AllocationSlot = apps.get_model("randomisation", "AllocationSlot")
    for allocation_list in AllocationList.objects.filter(list_sha256=""):
        slots = AllocationSlot.objects.filter(allocation_list=allocation_list).order_by("number")
        lines = "".join(f"{s.number}\t{s.stratum}\t{s.arm_code}\n" for s in slots)
        allocation_list.list_sha256 = hashlib.sha256(lines.encode("utf-8")).hexdigest()
        allocation_list.save(update_fields=["list_sha256"])


class Migration(migrations.Migration):
    dependencies = [
        ("randomisation", "0002_allocationlist_group_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocationlist",
            name="list_sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="SHA-256 of the list"),
        ),
        migrations.AlterField(
            model_name="allocationlist",
            name="seed",
            field=models.CharField(max_length=80, verbose_name="seed"),
        ),
        migrations.RunPython(hash_existing_lists, migrations.RunPython.noop),
    ]
