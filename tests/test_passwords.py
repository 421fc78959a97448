"""Password hashing: libsodium computes, argon2-cffi parses; the two agree on every hash."""

from __future__ import annotations

import argon2
import pytest

from quizapp.passwords import Passwords

CHEAP = {"time_cost": 1, "memory_kib": 1024}


@pytest.fixture
def passwords() -> Passwords:
    return Passwords(parallelism=1, **CHEAP)


def test_a_hash_verifies_its_password_only(passwords):
    hashed = passwords.hash("mật khẩu đúng 2026")
    assert hashed.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert passwords.verify(hashed, "mật khẩu đúng 2026")
    assert not passwords.verify(hashed, "mật khẩu sai 2026")
    assert not passwords.verify(hashed, "")


def test_the_two_libraries_read_each_others_hashes(passwords):
    reference = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    ours = passwords.hash("cần kiệm liêm chính")
    assert reference.verify(ours, "cần kiệm liêm chính")
    assert passwords.verify(reference.hash("chí công vô tư"), "chí công vô tư")
    # same salt and hash lengths as argon2-cffi's defaults, so a hash made here is not "outdated" there
    assert not reference.check_needs_rehash(ours)


def test_hashes_with_several_lanes_are_made_and_checked_by_argon2_cffi():
    several = Passwords(parallelism=2, **CHEAP)
    hashed = several.hash("hai làn")
    assert ",p=2$" in hashed
    assert several.verify(hashed, "hai làn") and not several.verify(hashed, "một làn")
    assert Passwords(parallelism=1, **CHEAP).verify(hashed, "hai làn")  # any hasher reads any setting


def test_an_argon2i_hash_is_still_verified(passwords):
    legacy = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=argon2.Type.I)
    assert passwords.verify(legacy.hash("cũ"), "cũ")


@pytest.mark.parametrize("broken", ["", "plain text", "$argon2id$v=19$m=1024,t=1,p=1$", "$bcrypt$xyz",
                                    "$argon2id$v=19$m=1024,t=1,p=1$đ$đ"])
def test_a_malformed_hash_is_a_failed_check_not_an_error(passwords, broken):
    assert passwords.verify(broken, "anything") is False


def test_a_hash_made_with_other_settings_needs_rehashing(passwords):
    assert not passwords.needs_rehash(passwords.hash("x"))
    assert passwords.needs_rehash(Passwords(time_cost=2, memory_kib=1024, parallelism=1).hash("x"))
    assert passwords.needs_rehash(Passwords(time_cost=1, memory_kib=2048, parallelism=1).hash("x"))
