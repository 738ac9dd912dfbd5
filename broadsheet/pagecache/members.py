"""Which pages signed-in readers share (MemberPageCacheMiddleware), and what such a page may read.

Glossary
- Members' copy (the members' shell): the one rendering of a page that every signed-in reader
  is served, from Django's cache and from the front proxy's. It holds nothing of any one
  reader: their parts of it (an article's body, the sharing warning) are private holes.
- Shareable: a view says its page is the same for every signed-in reader
  (`mark_shareable_for_members`); only such pages become members' copies.

The rule "a shared page reads nothing personal" is kept structurally: while a members' copy is
rendered, `request.user` is a `SharedPageReader`, which answers that someone is signed in and
raises `PersonalStateInSharedPageError` for anything else (their id, their email, their
permissions). A template tag or view that reads personal state in a shared page fails loudly
(tests render every shareable page type that way) instead of leaking one reader's data to all.
"""

from __future__ import annotations

from django.http import HttpRequest

from broadsheet.accounts.sessions import signed_in_user

SHAREABLE_FOR_MEMBERS_ATTRIBUTE = "shareable_for_members"
# Set on a request whose page is rendered for the members' shared copy.
MEMBER_SHELL_ATTRIBUTE = "page_shell_for_members"
# Set by MemberPageCacheMiddleware on a signed-in reader's GET that may become a members' copy.
MEMBER_CANDIDATE_ATTRIBUTE = "page_members_candidate"
_REAL_USER_ATTRIBUTE = "page_members_real_user"

# The browser of a staff member: the front proxy passes its requests to Django (their pages
# carry the admin's tools) instead of serving the members' copy. Not a credential: a reader who
# sets it only gets pages rendered by Django; a staff member who drops it gets the members' copy.
STAFF_COOKIE = "bs_staff"


class PersonalStateInSharedPageError(RuntimeError):
    """A page rendered for every signed-in reader asked for one reader's data."""


class SharedPageReader:
    """`request.user` while a members' copy is rendered: signed in, and nobody in particular."""

    is_authenticated = True
    is_anonymous = False
    # Staff never get a members' copy (MemberPageCacheMiddleware), so no member of it is staff.
    is_staff = False
    is_superuser = False
    is_active = True

    def __getattr__(self, name: str):
        raise PersonalStateInSharedPageError(
            f"a page shared by every signed-in reader read user.{name}; make that part a "
            "private hole (broadsheet.pagecache.holes)"
        )

    def __str__(self) -> str:
        raise PersonalStateInSharedPageError("a shared page named its user")


def is_members_copy(request: HttpRequest | None) -> bool:
    """The page being rendered is the copy all signed-in readers share: nothing personal may
    go in it (personal parts are holes: broadsheet.pagecache.holes)."""
    return bool(getattr(request, MEMBER_SHELL_ATTRIBUTE, False))


def reader_of_own_page(request: HttpRequest | None):
    """The signed-in User this page is rendered for alone, or None when nobody is signed in or
    the page is shared (the anonymous copy, the members' copy): what a template may personalise
    with (a prefilled address), without each tag guarding the session cookie and the copy."""
    if request is None or is_members_copy(request):
        return None
    return signed_in_user(request)


def mark_shareable_for_members(request: HttpRequest) -> None:
    """The view answering this request renders the same page for every signed-in reader (a
    reader's page of the newsroom, its personal parts as holes): the members' copy may keep
    it. Opt-in, so that a page about one reader (their account, their subscription) never is.
    For a signed-in reader's request, the rest of the rendering is the members' copy: it sees
    a `SharedPageReader` as its user.
    """
    setattr(request, SHAREABLE_FOR_MEMBERS_ATTRIBUTE, True)
    if getattr(request, MEMBER_CANDIDATE_ATTRIBUTE, False) and not is_members_copy(request):
        setattr(request, MEMBER_SHELL_ATTRIBUTE, True)
        setattr(request, _REAL_USER_ATTRIBUTE, request.user)
        request.user = SharedPageReader()  # type: ignore[assignment]  # stands in for the user


def members_copy_end(request: HttpRequest) -> None:
    """The members' copy is rendered: the layers outside it see the reader again."""
    real = getattr(request, _REAL_USER_ATTRIBUTE, None)
    if real is not None:
        request.user = real
        delattr(request, _REAL_USER_ATTRIBUTE)
