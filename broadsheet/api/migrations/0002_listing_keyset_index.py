from django.db import migrations

# The API's listings page by keyset, (first_published_at, id) newest first, within an edition:
# with the id in the index the "after this article" condition is an index range, not a filter
# over every article of the same second. Wagtail's Page is not ours to give Meta.indexes,
# hence SQL (the same on PostgreSQL and SQLite), as newsroom's 0002_listing_index.
CREATE = (
    "CREATE INDEX IF NOT EXISTS api_page_live_keyset "
    "ON wagtailcore_page (locale_id, first_published_at DESC, id DESC) WHERE live"
)
DROP = "DROP INDEX IF EXISTS api_page_live_keyset"


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial"), ("wagtailcore", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
