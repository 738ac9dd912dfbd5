"""What the subscription services refuse, as exceptions whose `code` names the rule."""

from __future__ import annotations


class SeatError(Exception):
    """A seat or invitation change that the rules refuse; `code` says which rule."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class InvitationError(SeatError):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    WITHDRAWN = "withdrawn"
    WRONG_ACCOUNT = "wrong_account"
    ALREADY_MEMBER = "already_member"
    # Organisation admins
    NO_ORGANISATION = "no_organisation"
    ALREADY_ADMIN = "already_admin"


class CheckoutError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
