import pytest
from django.contrib.auth.models import Group, User
from broadsheet.newsroom import services
from broadsheet.newsroom.tests import factories
from .conftest import artifact_path

@pytest.mark.browser
def test_explore(live_editions, new_context, live_server):
    world = factories.section_create(edition=live_editions[0], title="World", slug="world")
    u = User.objects.create_user("rita", "rita@example.com", "correct-horse-battery-9")
    u.groups.add(Group.objects.get(name="Reporters"))
    page = new_context().new_page()
    page.goto("/admin/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill("correct-horse-battery-9")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/pages/")
    print(page.url)
    page.screenshot(path=artifact_path("x-pages.png"))
    artifact_path("x-pages.html").write_text(page.content())
    page.goto(f"/admin/pages/{live_editions[0].pk}/")
    page.screenshot(path=artifact_path("x-edition.png"))
    artifact_path("x-edition.html").write_text(page.content())
    page.goto(f"/admin/pages/{world.pk}/")
    page.get_by_role("link", name="Add child page").click()
    page.wait_for_url("**/add/newsroom/articlepage/**")
    page.get_by_placeholder("Page title*").fill("Harbour reopens after storm")
    page.get_by_role("textbox", name="Standfirst").fill("Ships return to the bay.")
    page.locator("#body-root").get_by_title("Insert a block").click()
    page.screenshot(path=artifact_path("x-insert.png"))
    artifact_path("x-insert.html").write_text(page.content())
