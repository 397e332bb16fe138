"""Typed errors of the server, each with a stable ``reason`` and the HTTP status it answers with."""

from __future__ import annotations

from app.errors import UsulkanError
from app.i18n import N_


class ServerError(UsulkanError):
    reason: str = "error"
    http_status: int = 400


class UnknownOffice(ServerError):
    reason, http_status = "unknown_office", 404
    template = N_("This kelurahan is not registered at the Dinas Sosial.")
    hint = N_("Check the provisioning file, or ask Dinsos to register the kelurahan.")


class OfficeNotBound(ServerError):
    reason, http_status = "office_not_bound", 403
    template = N_("This kelurahan has not completed enrolment yet.")
    hint = N_("Enter the one-time enrolment code from Dinsos first.")


class BatchConflict(ServerError):
    reason, http_status = "conflict", 409
    template = N_("A batch with this number was already received with different contents.")
    hint = N_("Contact Dinsos: the kelurahan's outbox may have been restored from an old copy.")


class ItemConflict(ServerError):
    reason, http_status = "item_conflict", 409
    template = N_("The batch contains an item that Dinsos already received in another batch.")
    hint = N_("Contact Dinsos with the batch number.")


class HeaderMismatch(ServerError):
    reason, http_status = "header_mismatch", 422
    template = N_("The batch file's label does not match the batch inside it.")
    hint = N_("Build and seal the batch again.")


class BodyTooLarge(ServerError):
    reason, http_status = "too_large", 413
    template = N_("The request is larger than allowed.")
    hint = N_("Send the proposals in smaller batches.")


class BadRequest(ServerError):
    reason, http_status = "bad_request", 400
    template = N_("The request is not valid (at {field}).")


class NotAuthenticated(ServerError):
    reason, http_status = "not_authenticated", 401
    template = N_("Sign in first, or your session has ended.")


class LoginFailed(ServerError):
    reason, http_status = "login_failed", 401
    template = N_("The username or password is wrong.")


class Forbidden(ServerError):
    reason, http_status = "forbidden", 403
    template = N_("Your account may not do this.")
    hint = N_("Ask a Dinsos administrator.")


class NotFound(ServerError):
    reason, http_status = "not_found", 404
    template = N_("The requested item was not found.")


class EnrolmentRefused(ServerError):
    reason, http_status = "enrolment_refused", 403
    template = N_("The enrolment code is wrong or has already been used.")
    hint = N_("Ask Dinsos for a new enrolment code.")


class BindInvalid(ServerError):
    reason, http_status = "bad_signature", 400
    template = N_("The enrolment request is not signed by the Lurah key it names.")
    hint = N_("Start the enrolment again on the kelurahan computer.")


class UsernameTaken(ServerError):
    reason, http_status = "username_taken", 409
    template = N_("This username is already in use.")


class InvalidRole(ServerError):
    reason, http_status = "invalid_role", 400
    template = N_("Unknown staff role; use verifier, kepala or admin.")


class FourEyes(ServerError):
    reason, http_status = "four_eyes", 403
    template = N_("You verified this proposal, so another person must finalise it.")
    hint = N_("Ask the Kepala OPD or another head of department to finalise it.")


class StaleDecision(ServerError):
    reason, http_status = "already_decided", 409
    template = N_("Someone else decided this proposal first; it is now {state}.")
    hint = N_("Open the proposal again to see the latest decision.")


class UnknownReason(ServerError):
    reason, http_status = "unknown_reason", 400
    template = N_("The reason code {code} is not in the Dinsos reason catalogue.")
    hint = N_("Choose a reason from the list, or ask an administrator to add it.")


class DuplicateOpen(ServerError):
    reason, http_status = "duplicate_open", 409
    template = N_("This proposal has an open possible duplicate in another kelurahan ({office}); it cannot be "
                  "finalised yet.")
    hint = N_("Open the proposal, compare it with the other one, and mark them the same person or not the "
              "same person first.")


class DecreeRequired(ServerError):
    reason, http_status = "decree_required", 400
    template = N_("An approval or a forwarding to the ministry needs the decree's number and date.")
    hint = N_("Fill in the number and the date of the walikota's decree (SK), then repeat the step.")


class InvalidInput(ServerError):
    reason, http_status = "invalid_input", 422
    template = N_("The request has a missing or wrong value at {field}.")
    hint = N_("Correct that field and send the request again.")


class LoginThrottled(ServerError):
    reason, http_status = "login_throttled", 429
    template = N_("Too many wrong sign-ins for this account or from this computer. Try again in {minutes} minutes.")
    hint = N_("If the password is forgotten, ask a Dinsos administrator to set a new one.")

    @property
    def retry_after(self) -> int:
        return int(self.params.get("seconds", 60))


class UnknownVillage(ServerError):
    reason, http_status = "unknown_village", 422
    template = N_("The village code {code} is not a kelurahan/desa in the region list.")
    hint = N_("Use the ten-digit Kemendagri code of the kelurahan, for example 35.75.03.1009.")
