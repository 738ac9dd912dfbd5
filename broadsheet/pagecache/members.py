"""Which pages signed-in readers may share (MemberPageCacheMiddleware): those whose view says so."""

from __future__ import annotations

from django.http import HttpRequest

SHAREABLE_FOR_MEMBERS_ATTRIBUTE = "shareable_for_members"


def mark_shareable_for_members(request: HttpRequest) -> None:
    """The view answering this request renders the same page for every signed-in reader (a
    reader's page of the newsroom, its personal parts as holes): the members' copy may keep
    it. Opt-in, so that a page about one reader (their account, their subscription) never is.
    """
    setattr(request, SHAREABLE_FOR_MEMBERS_ATTRIBUTE, True)
