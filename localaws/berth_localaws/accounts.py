"""Accounts: the access key `LOCALAWS<12-digit account id>` selects that account.

Moto keeps one state per account. With this, every test (or every person sharing one emulator) gets
an isolated account by using `LOCALAWS` + its number as the access key, with no reset and no cross-talk.
Any other access key keeps moto's behaviour (the default account 123456789012).
"""

import moto.iam.models as iam_models

# 8 + 12 = 20 characters: moto only reads access keys of AWS's length from the signature.
PREFIX = "LOCALAWS"

_original = iam_models.get_account_id_from


def _account_from_access_key(access_key: str) -> str:
    account = access_key[len(PREFIX):]
    if access_key.startswith(PREFIX) and len(account) == 12 and account.isdigit():
        return account
    return _original(access_key)


def install() -> None:
    iam_models.get_account_id_from = _account_from_access_key
