"""Money is stored in integer minor units with its ISO 4217 code; this shows it."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language

# Currencies whose minor unit is not a hundredth.
EXPONENTS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3, "TND": 3}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def money_format(*, amount_minor: int, currency: str, language: str | None = None) -> str:
    currency = currency.upper()
    exponent = EXPONENTS.get(currency, 2)
    amount = Decimal(amount_minor).scaleb(-exponent)
    number = formats.number_format(amount, exponent, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency)
    language = (language or get_language() or "en").lower()
    if symbol is None:
        return f"{number} {currency}"
    if language.startswith("en"):
        return f"{symbol}{number}"
    return f"{number}\u00a0{symbol}"
