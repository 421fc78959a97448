"""Rule 11: what the public sees of a person."""

import unicodedata

import pytest

from quizapp.domain.masking import mask_email, mask_name, mask_phone


@pytest.mark.parametrize(("name", "masked"), [
    ("Nguyễn Văn An", "Nguyễn V. A."),
    ("Trần Thị Ánh Tuyết", "Trần T. Á. T."),
    ("Đỗ Đức", "Đỗ Đ."),
    ("Lê Ức", "Lê Ứ."),
    ("  Phạm   Minh\tChính ", "Phạm M. C."),
    ("nguyễn văn an", "nguyễn V. A."),
    ("An", "A."),
    ("Ý", "Ý."),
    ("", ""),
    (None, ""),
    ("   ", ""),
])
def test_mask_name_keeps_the_family_name_and_initials(name, masked):
    assert mask_name(name) == masked


def test_mask_name_reads_decomposed_input_as_composed():
    decomposed = unicodedata.normalize("NFD", "Hồ Ánh Nguyệt")
    assert mask_name(decomposed) == "Hồ Á. N."
    assert unicodedata.is_normalized("NFC", mask_name(decomposed))


@pytest.mark.parametrize(("email", "masked"), [
    ("an.nguyen@gmail.com", "a***@gmail.com"),
    ("  B@hanoi.gov.vn ", "B***@hanoi.gov.vn"),
    ("not-an-email", "n***"),
    ("@nomailbox.vn", "@***"),
    ("", ""),
    (None, ""),
])
def test_mask_email_shows_the_first_letter_and_the_domain(email, masked):
    assert mask_email(email) == masked


def test_mask_phone_is_the_one_from_phones():
    assert mask_phone("0912345678") == "09xx xxx 678"
