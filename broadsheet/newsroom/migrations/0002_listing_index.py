from django.db import migrations

# Listings ("latest in this edition") walk live pages of one locale newest first; with 100k+
# articles this index keeps them an index scan instead of a sort. Wagtail's Page model is not
# ours to add Meta.indexes to, hence SQL (the same on PostgreSQL and SQLite).
CREATE = (
    "CREATE INDEX IF NOT EXISTS newsroom_page_live_latest "
    "ON wagtailcore_page (locale_id, first_published_at DESC) WHERE live"
)
DROP = "DROP INDEX IF EXISTS newsroom_page_live_latest"


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0001_initial"), ("wagtailcore", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
