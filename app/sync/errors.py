"""Typed errors of the sync formats: each carries a machine ``reason`` and an operator message."""

from __future__ import annotations

from typing import Any, ClassVar

from app.errors import UsulkanError
from app.i18n import N_


class SyncError(UsulkanError):
    """Base of every sync-format error; ``reason`` is the stable code servers and logs use."""

    reason: str = "error"


class _Reasoned(SyncError):
    """An error family whose message is chosen by its reason code from a table."""

    messages: ClassVar[dict[str, tuple[str, str | None]]] = {}

    def __init__(self, reason: str, **params: Any):
        # An unknown reason is a programming error, so a KeyError is the right failure here.
        template, hint = self.messages[reason]
        super().__init__(template, hint=hint, **params)
        self.reason = reason

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.reason}): {self.template}"


class FormatInvalid(SyncError):
    """Bytes or a field that do not follow the format; ``field`` names where (never a value)."""

    reason = "bad_format"
    template = N_("The data is not in the expected format (at {field}).")


class NotCanonical(SyncError):
    """A value that has no single canonical encoding, such as a decimal number."""

    reason = "not_canonical"
    template = N_("This data contains a value that cannot be signed, such as a decimal number.")
    hint = N_("Store decimal numbers as text.")


class WrongSigner(SyncError):
    """The key offered for signing is not the one the certificate names."""

    reason = "wrong_signer"
    template = N_("This key does not belong to the operator named in the certificate.")
    hint = N_("Sign in as the operator who built the batch.")


class CertificateError(SyncError):
    """Base of the certificate errors (operator certificates and Dinsos key certificates)."""


class CertificateInvalid(CertificateError):
    reason = "bad_certificate"
    template = N_("The certificate is not valid or was not issued by the expected authority.")
    hint = N_("Ask the Lurah to issue the operator certificate again.")


class CertificateExpired(CertificateError):
    reason = "expired"
    template = N_("The certificate had expired at the time it was used.")
    hint = N_("Ask the Lurah to renew the certificate.")


class CertificateNotYetValid(CertificateError):
    reason = "not_yet_valid"
    template = N_("The certificate was not yet valid at the time it was used.")
    hint = N_("Check the computer's date and time.")


class RevocationInvalid(SyncError):
    reason = "bad_revocation"
    template = N_("The revocation is not valid or was not signed by the Lurah of this kelurahan.")


class BatchRejected(_Reasoned):
    """Why a batch cannot be accepted; ``reason`` is one of the codes in docs/batch-format.md."""

    messages = {
        "bad_format": (
            N_("The batch is not a valid Usulkan batch (at {field})."),
            N_("Build the batch again from the outbox."),
        ),
        "unsupported_version": (
            N_("The batch uses a format version this program does not support."),
            N_("Update Usulkan on both sides."),
        ),
        "too_large": (
            N_("The batch is larger than allowed."),
            N_("Send the proposals in smaller batches."),
        ),
        "payload_hash_mismatch": (
            N_("Item number {index} of the batch does not match its hash."),
            N_("The batch was damaged or altered; build it again."),
        ),
        "items_hash_mismatch": (
            N_("The list of items does not match the batch's items hash."),
            N_("The batch was damaged or altered; build it again."),
        ),
        "bad_certificate": (
            N_("The operator certificate is not signed by the Lurah registered for this kelurahan."),
            N_("Ask the Lurah to certify the operator again."),
        ),
        "expired": (
            N_("The operator certificate had expired when the batch was created."),
            N_("Ask the Lurah to renew the operator certificate, then sign the batch again."),
        ),
        "not_yet_valid": (
            N_("The operator certificate was not yet valid when the batch was created."),
            N_("Check the computer's date and time, then sign the batch again."),
        ),
        "future_dated": (
            N_("The batch is dated in the future."),
            N_("Check the computer's date and time, then sign the batch again."),
        ),
        "revoked": (
            N_("The operator certificate was revoked before batch number {sequence}."),
            N_("Have an active operator sign the batch again."),
        ),
        "bad_signature": (
            N_("The operator's signature on the batch is not valid."),
            N_("The batch was damaged or altered; build it again."),
        ),
        "countersignature_missing": (
            N_("The batch contains SPTJM items but the Lurah has not countersigned it."),
            N_("Ask the Lurah to countersign the batch."),
        ),
        "bad_countersignature": (
            N_("The countersignature is not the Lurah's signature for this kelurahan."),
            N_("Ask the Lurah to countersign the batch again."),
        ),
        "bad_authority_rotation": (
            N_("The hand-over to a new authority key in this batch was not signed by the kelurahan's current "
               "authority key, or is not where it belongs."),
            N_("Contact Dinsos: someone may be trying to take over the kelurahan's authority."),
        ),
        "replay": (
            N_("Batch number {sequence} has already been received."),
            None,
        ),
        "rollback": (
            N_("Batch number {sequence} was already received with different contents."),
            N_("Contact Dinsos: the kelurahan's outbox may have been restored from an old copy."),
        ),
        "gap": (
            N_("Batch number {sequence} arrived but number {expected} was expected."),
            N_("The batch is held until the earlier batches arrive."),
        ),
        "prev_hash_mismatch": (
            N_("Batch number {sequence} does not follow the previous batch received."),
            N_("Contact Dinsos: the kelurahan's outbox may have been restored from an old copy."),
        ),
    }


class EnvelopeError(SyncError):
    """Base of the errors raised while opening a sealed batch file."""


class EnvelopeTruncated(EnvelopeError):
    reason = "truncated"
    template = N_("The batch file is incomplete: it was cut off while copying or sending.")
    hint = N_("Copy or send the file again.")


class EnvelopeDamaged(EnvelopeError):
    reason = "damaged"
    template = N_("The batch file is damaged or is not an Usulkan batch file.")
    hint = N_("Copy or send the file again.")


class EnvelopeNotForUs(EnvelopeError):
    reason = "not_for_us"
    template = N_("The batch file was encrypted for a different Dinsos key.")
    hint = N_("Check that the kelurahan has the current Dinsos key, then seal the batch again.")


class EnvelopeTooLarge(EnvelopeError):
    reason = "too_large"
    template = N_("The batch file is larger than allowed.")
    hint = N_("Send the proposals in smaller batches.")


class EnvelopeUnsupported(EnvelopeError):
    reason = "unsupported_version"
    template = N_("The batch file uses a format version this program does not support.")
    hint = N_("Update Usulkan on both sides.")


class ReceiptInvalid(_Reasoned):
    """A receipt from Dinsos that cannot be trusted for the batch it claims to acknowledge."""

    messages = {
        "bad_format": (N_("The receipt from Dinsos is not valid (at {field})."), None),
        "bad_signature": (
            N_("The receipt is not signed by the Dinsos server key."),
            N_("Send the batch again later; if it persists, contact Dinsos."),
        ),
        "wrong_batch": (
            N_("The receipt from Dinsos is for a different batch."),
            N_("Send the batch again later; if it persists, contact Dinsos."),
        ),
    }


class StatusRejected(_Reasoned):
    """A status update or page from Dinsos that cannot be trusted."""

    messages = {
        "bad_format": (N_("The status from Dinsos is not valid (at {field})."), None),
        "bad_signature": (
            N_("The status is not signed by the Dinsos server key."),
            N_("Fetch the statuses again later; if it persists, contact Dinsos."),
        ),
        "wrong_office": (
            N_("The status from Dinsos is for a different kelurahan."),
            N_("Contact Dinsos."),
        ),
        "cursor_mismatch": (
            N_("The status page from Dinsos does not continue from the last status received."),
            N_("Fetch the statuses again."),
        ),
    }
