"""Triggers that tell every listening connection when a token or a user changes (accounts/token_cache.py).

PostgreSQL only: elsewhere no connection keeps tokens, so there is nothing to tell.
"""

from django.db import migrations

CHANNEL = "twitchlog_auth"  # accounts.token_cache.CHANNEL, written out: a migration stays as it was written


def _tables(apps):
    token, user = apps.get_model("accounts", "DeviceToken")._meta, apps.get_model("accounts", "User")._meta
    # (table, the column holding the user's id)
    return [(token.db_table, token.get_field("user").column), (user.db_table, user.pk.column)]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    # One function for both tables: the row's user id, read by the column the trigger names.
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION twitchlog_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'TRUNCATE' THEN
            PERFORM pg_notify('{CHANNEL}', '*');
          ELSE
            PERFORM pg_notify('{CHANNEL}', to_jsonb(OLD) ->> TG_ARGV[0]);
          END IF;
          RETURN NULL;
        END $$
        """
    )
    for table, user_column in _tables(apps):
        schema_editor.execute(
            f"CREATE TRIGGER {quote(table + '_auth_changed')} AFTER UPDATE OR DELETE ON {quote(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION twitchlog_auth_changed('{user_column}')"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {quote(table + '_auth_truncated')} AFTER TRUNCATE ON {quote(table)} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION twitchlog_auth_changed()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, _ in _tables(apps):
        for suffix in ("_auth_changed", "_auth_truncated"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(table + suffix)} ON {quote(table)}")
    schema_editor.execute("DROP FUNCTION IF EXISTS twitchlog_auth_changed()")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_email_confirmation"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
