"""Phone numbers normalised to E.164 so one customer is found by any of their numbers."""

from __future__ import annotations

import phonenumbers

from .errors import DomainError


def normalise_phone(raw: str, region: str) -> str:
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise DomainError("phone_invalid", f"Not a phone number: {text[:32]!r}.", value=text[:32])
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise DomainError("phone_invalid", f"Not a phone number: {text!r}.", value=text) from None
    if not phonenumbers.is_valid_number(parsed):
        raise DomainError("phone_invalid", f"Not a phone number: {text!r}.", value=text)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """Keep the country code and the last four digits: +86*******8000."""
    try:
        code = str(phonenumbers.parse(e164, None).country_code)
    except phonenumbers.NumberParseException:
        code = ""
    head = "+" + code if code and e164.startswith("+" + code) else ""
    rest = e164[len(head) :]
    if len(rest) <= 4:
        return head + "*" * len(rest)
    return head + "*" * (len(rest) - 4) + rest[-4:]


def mask_text(text: str, keep: int = 6) -> str:
    if len(text) <= keep:
        return "*" * len(text)
    return text[:keep] + "*" * min(len(text) - keep, 8)
