"""Accounts: the access key `LOCALAWS<12-digit account id>` selects that account.

Moto keeps one state per account. With this, every test (or every person sharing one emulator) gets
an isolated account by using `LOCALAWS` + its number as the access key, with no reset and no cross-talk.
Any other access key keeps moto's behaviour (the default account 123456789012).
"""

import moto.iam.models as iam_models

from .patching import patch

# 8 + 12 = 20 characters: moto only reads access keys of AWS's length from the signature.
PREFIX = "LOCALAWS"


def _account_from_access_key(original):
    def get_account_id_from(access_key: str) -> str:
        account = access_key[len(PREFIX):]
        if access_key.startswith(PREFIX) and len(account) == 12 and account.isdigit():
            return account
        return original(access_key)

    return get_account_id_from


def install() -> None:
    patch(iam_models, "get_account_id_from", "(access_key)", _account_from_access_key)
