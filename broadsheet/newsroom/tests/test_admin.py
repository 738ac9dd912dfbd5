import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page

from broadsheet.newsroom import services
from broadsheet.newsroom.models import ArticlePage
from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(django_user_model, editions):
    user = django_user_model.objects.create_user("reporter", password="a-long-password-1")
    user.groups.add(Group.objects.get(name=services.REPORTERS))
    return user


@pytest.fixture
def editor(django_user_model, editions):
    user = django_user_model.objects.create_user("editor", password="a-long-password-2")
    user.groups.add(Group.objects.get(name=services.EDITORS))
    return user


def test_reporter_can_write_but_not_publish(client, reporter, en_world):
    client.force_login(reporter)

    add_form = client.get(f"/admin/pages/add/newsroom/articlepage/{en_world.pk}/")
    article = factories.article_publish(section=en_world)
    permissions = article.permissions_for_user(reporter)

    assert add_form.status_code == 200
    assert "standfirst" in add_form.content.decode()
    assert permissions.can_edit()
    assert not permissions.can_publish()


def test_editor_can_publish_and_edit_every_part(client, editor, en_world):
    client.force_login(editor)
    article = factories.article_publish(section=en_world, tags=["Elections"])

    edit_form = client.get(f"/admin/pages/{article.pk}/edit/")

    assert edit_form.status_code == 200
    html = edit_form.content.decode()
    for field in (
        "standfirst",
        "dateline",
        "lead_image",
        "body",
        "tags",
        "correction_note",
        "access_level",
        "article_authors",
        "related_links",
    ):
        assert field in html, field
    assert article.permissions_for_user(editor).can_publish()


def test_articles_go_through_the_editorial_workflow(editions):
    for edition in editions:
        workflow = Page.objects.get(pk=edition.pk).get_workflow()
        assert workflow is not None and workflow.name == services.EDITORIAL_WORKFLOW


def test_a_reporter_submission_waits_for_an_editor(reporter, editor, en_world):
    article = ArticlePage(
        title="Draft by reporter", slug="draft-by-reporter", standfirst="Waiting.", live=False
    )
    en_world.add_child(instance=article)
    article.save_revision(user=reporter)

    workflow_state = article.get_workflow().start(article, reporter)
    task_state = workflow_state.current_task_state

    assert not ArticlePage.objects.get(pk=article.pk).live
    assert task_state.task.specific.user_can_access_editor(article, editor)
    task_state.task.specific.on_action(task_state, editor, "approve")
    assert ArticlePage.objects.get(pk=article.pk).live


def test_setup_is_idempotent(editions):
    again = services.editions_setup(hostname="testserver", port=80)
    services.roles_setup(editions=again)
    assert [e.pk for e in again] == [e.pk for e in editions]
    assert Group.objects.filter(name=services.EDITORS).count() == 1
