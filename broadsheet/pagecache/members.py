"""Which pages signed-in readers may share (MemberPageCacheMiddleware): those whose view says so."""

from __future__ import annotations

from django.http import HttpRequest

SHAREABLE_FOR_MEMBERS_ATTRIBUTE = "shareable_for_members"
# Set on a request whose page is rendered for the members' shared copy.
MEMBER_SHELL_ATTRIBUTE = "page_shell_for_members"


def is_members_copy(request: HttpRequest | None) -> bool:
    """The page being rendered is the copy all signed-in readers share: nothing personal may
    go in it (personal parts are holes: broadsheet.pagecache.holes)."""
    return bool(getattr(request, MEMBER_SHELL_ATTRIBUTE, False))


def mark_shareable_for_members(request: HttpRequest) -> None:
    """The view answering this request renders the same page for every signed-in reader (a
    reader's page of the newsroom, its personal parts as holes): the members' copy may keep
    it. Opt-in, so that a page about one reader (their account, their subscription) never is.
    """
    setattr(request, SHAREABLE_FOR_MEMBERS_ATTRIBUTE, True)
