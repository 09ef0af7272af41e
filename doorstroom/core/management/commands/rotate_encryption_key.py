"""Re-encrypt every encrypted column with the first key of DOORSTROOM_ENCRYPTION_KEYS.

Put the new key first, keep the old one after it, run this command, then remove the old key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from doorstroom.core import crypto
from doorstroom.core.fields import EncryptedTextField

BATCH = 2000


class Command(BaseCommand):
    help = "Versleutel alle versleutelde velden opnieuw met de eerste sleutel (sleutelrotatie)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        total = 0
        for model in apps.get_models():
            columns = [str(f.column) for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not columns:
                continue
            table = model._meta.db_table
            quote = connection.ops.quote_name
            for column in columns:
                # Table and column names come from the model definition and are quoted; values are bound.
                select = f"SELECT id, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"  # noqa: S608  # nosec B608
                update = f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s"  # noqa: S608  # nosec B608
                with connection.cursor() as cursor:
                    cursor.execute(select)
                    rows = cursor.fetchall()
                for start in range(0, len(rows), BATCH):
                    with transaction.atomic(), connection.cursor() as cursor:
                        for pk, token in rows[start : start + BATCH]:
                            cursor.execute(update, [crypto.rotate(token), pk])
                total += len(rows)
                self.stdout.write(f"{table}.{column}: {len(rows)} waarden opnieuw versleuteld")
        self.stdout.write(f"Klaar: {total} waarden.")
