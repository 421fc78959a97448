"""Password hashing: Argon2id, computed by libsodium (PyNaCl), with argon2-cffi for the policy around it.

Why libsodium does the work: it picks an AVX2 / AVX-512 kernel at run time, while the code bundled with
argon2-cffi is the portable one. On the 2-core benchmark machine one verification at OWASP's first recommended
setting (19 MiB, 2 passes, 1 lane) takes 13 ms with libsodium and 24-26 ms with argon2-cffi (measured with
``time.process_time`` over 40 verifications), which decides whether two cores can verify 100 sign-ins a second
when a round opens.

Both libraries write and read the same PHC string (``$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>``, 16-byte
salt, 32-byte hash), so either verifies what the other made. libsodium computes a single lane only: a hash with
more lanes (a deployment that sets ``QUIZAPP_ARGON2_PARALLELISM``), or of another Argon2 variant, is verified by
argon2-cffi. argon2-cffi also parses hashes and says when one was made with other settings than today's
(``needs_rehash``), so that a sign-in upgrades it.
"""

from __future__ import annotations

import argon2
import nacl.exceptions
import nacl.pwhash.argon2id as sodium
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hashes passwords at one cost (``time_cost`` passes over ``memory_kib`` KiB, ``parallelism`` lanes) and
    verifies hashes made at any cost."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._policy = argon2.PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)

    def hash(self, password: str) -> str:
        policy = self._policy
        if policy.parallelism == 1:
            return sodium.str(password.encode(), opslimit=policy.time_cost,
                              memlimit=policy.memory_cost * 1024).decode("ascii")
        return policy.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        """True when ``password`` matches ``hashed``; False for a wrong password and for a malformed hash."""
        try:
            made_with = argon2.extract_parameters(hashed)
        except (InvalidHashError, ValueError):
            return False
        if made_with.type is argon2.Type.ID and made_with.parallelism == 1:
            try:
                return sodium.verify(hashed.encode("ascii"), password.encode())
            except (nacl.exceptions.CryptoError, ValueError):
                return False
        try:
            return self._policy.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hashed: str) -> bool:
        """True when ``hashed`` was made with other settings than this hasher's."""
        return self._policy.check_needs_rehash(hashed)
