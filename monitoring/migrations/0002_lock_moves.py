# The Lock model moved to participants (participants 0003 keeps and renames its table): state only here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
        ("participants", "0003_lock_moves"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Lock")]),
    ]
