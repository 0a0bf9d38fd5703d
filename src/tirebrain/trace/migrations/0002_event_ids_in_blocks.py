"""PostgreSQL: the event id sequence counts in blocks (``store.ID_BLOCK``), so that capture
reserves the ids of a whole document with one ``nextval`` instead of one per event."""

from django.db import migrations

ID_BLOCK = 1000  # store.ID_BLOCK at the time of this migration


def _increment(by: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence('trace_event', 'id')")
            (sequence,) = cur.fetchone()
            cur.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY {by}")

    return run


class Migration(migrations.Migration):
    dependencies = [("trace", "0001_initial")]

    operations = [migrations.RunPython(_increment(ID_BLOCK), _increment(1))]
