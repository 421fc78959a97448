import unicodedata

import pytest

from quizapp.domain.phones import mask_phone, normalise_phone
from quizapp.domain.text import clean, fold, question_key


def test_clean_composes_decomposed_vietnamese_and_trims():
    decomposed = unicodedata.normalize("NFD", "  Hồ   Chí Minh \t")
    assert clean(decomposed) == "Hồ Chí Minh"
    assert unicodedata.is_normalized("NFC", clean(decomposed))


def test_clean_keeps_inner_line_breaks_and_quotes():
    assert clean('Câu "một"\r\n  dòng hai ') == 'Câu "một"\ndòng hai'


@pytest.mark.parametrize("value", ["Hà Nội", "HA NOI", "ha  noi", "Hà  Nội "])
def test_fold_is_accent_and_case_insensitive(value):
    assert fold(value) == "ha noi"


def test_fold_maps_d_with_stroke():
    assert fold("Đông Anh") == "dong anh"


def test_question_key_ignores_case_and_spacing_but_not_accents():
    assert question_key("Bác  Hồ sinh năm nào?") == question_key("bác hồ sinh năm nào?")
    assert question_key("Bác Hồ") != question_key("Bac Ho")


@pytest.mark.parametrize("raw", ["0912 345 678", "+84912345678", "84912345678", "0912.345.678", "+84 912 345 678"])
def test_phone_forms_are_one_number(raw):
    assert normalise_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["", "12345", "0212345678", "091234567", "09123456789", "abc"])
def test_not_a_vietnamese_mobile(raw):
    assert normalise_phone(raw) is None


def test_mask_phone_shows_only_the_last_three_digits():
    assert mask_phone("0912345678") == "09xx xxx 678"
