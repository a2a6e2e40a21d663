"""Secrets at rest (calendar passwords) sealed with KMS.

`KmsSecretBox` calls KMS Encrypt/Decrypt directly: a CalDAV password is far below KMS's 4 KB
plaintext limit, so no data key (envelope) is needed. The encryption context binds each
ciphertext to its mentor and calendar: a sealed password copied onto another calendar item
does not open. In AWS the key is the template's `CalendarSecretsKey`, which only the mentors
function may use, for Encrypt and Decrypt alone; in the local stack and the tests KMS is
emulated (moto) with a key of its own, so the same code runs everywhere. Plaintexts are never
logged.
"""

from __future__ import annotations

import base64
from typing import Protocol


class SecretBox(Protocol):
    def seal(self, plaintext: str, context: dict[str, str]) -> str: ...

    def open(self, sealed: str, context: dict[str, str]) -> str: ...


class KmsSecretBox:
    def __init__(self, key_id: str, region: str):
        import boto3

        self._key_id = key_id
        self._kms = boto3.client("kms", region_name=region)

    def seal(self, plaintext: str, context: dict[str, str]) -> str:
        answer = self._kms.encrypt(KeyId=self._key_id, Plaintext=plaintext.encode(), EncryptionContext=context)
        return base64.b64encode(answer["CiphertextBlob"]).decode()

    def open(self, sealed: str, context: dict[str, str]) -> str:
        answer = self._kms.decrypt(
            KeyId=self._key_id, CiphertextBlob=base64.b64decode(sealed), EncryptionContext=context
        )
        return answer["Plaintext"].decode()
