"""O-2: customers' phones normalised to E.164, and masked for display."""

from __future__ import annotations

import pytest

from aftersales.domain.errors import DomainError
from aftersales.domain.phones import mask_phone, mask_text, normalise_phone


def test_o2_chinese_mobile_normalised() -> None:
    assert normalise_phone("138 0013 8000", "CN") == "+8613800138000"
    assert normalise_phone("  13800138000 ", "CN") == "+8613800138000"


def test_o2_korean_mobile_normalised() -> None:
    assert normalise_phone("010-1234-5678", "KR") == "+821012345678"


@pytest.mark.parametrize("region", ["CN", "KR", "US"])
def test_o2_e164_input_kept_whatever_the_region(region: str) -> None:
    assert normalise_phone("+8613800138000", region) == "+8613800138000"
    assert normalise_phone("+86 138-0013-8000", region) == "+8613800138000"


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "abc", "12", "+86 138 0013 800", "1" * 33, "+86 138 0013 8000 0000 0000 0000 0"],
)
def test_o2_invalid_phone_refused(raw: str) -> None:
    with pytest.raises(DomainError) as exc:
        normalise_phone(raw, "CN")
    assert exc.value.code == "phone_invalid"
    assert exc.value.status == 422


def test_o2_too_long_input_refused_with_truncated_value() -> None:
    with pytest.raises(DomainError) as exc:
        normalise_phone("9" * 100, "CN")
    assert exc.value.code == "phone_invalid"
    assert exc.value.params["value"] == "9" * 32


def test_o2_mask_phone_keeps_country_code_and_last_four() -> None:
    assert mask_phone("+8613800138000") == "+86*******8000"
    assert mask_phone("+821012345678") == "+82******5678"
    masked = mask_phone("+8613912345678")
    assert masked.endswith("5678")
    assert len(masked) == len("+8613912345678")
    assert "139" not in masked


def test_o2_mask_phone_short_input_fully_masked() -> None:
    assert mask_phone("+861234") == "+86****"
    assert mask_phone("") == ""


def test_o2_mask_phone_one_digit_country_code() -> None:
    assert mask_phone("+14155552671") == "+1******2671"


def test_o2_surrounding_spaces_do_not_count_towards_length() -> None:
    assert normalise_phone("138 0013 8000" + " " * 30, "CN") == "+8613800138000"


def test_o2_mask_text() -> None:
    assert mask_text("110101199001011234") == "110101********"
    assert mask_text("abcdefg") == "abcdef*"
    assert mask_text("abc") == "***"
