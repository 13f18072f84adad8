"""Amazon Mechanical Turk (ExternalQuestion HITs): workerId / assignmentId / hitId /
turkSubmitTo on arrival, a read-only preview while the HIT is not accepted, and a form POSTed
to {turkSubmitTo}/mturk/externalSubmit at the end."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from ..config.crowd_model import MTURK_SUBMIT_HOSTS
from .base import COMPLETED, ArrivalProblem, CompletionAction, Identity, Provider, param_value

PREVIEW_ASSIGNMENT = "ASSIGNMENT_ID_NOT_AVAILABLE"
SUBMIT_PATH = "/mturk/externalSubmit"
SCHEMA = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/"
    "ExternalQuestion.xsd"
)


class MTurk(Provider):
    name = "mturk"

    def is_preview(self, args) -> bool:
        return args.get("assignmentId") == PREVIEW_ASSIGNMENT

    def identity(self, args) -> Identity:
        base = super().identity(args)
        assignment = param_value(args, "assignmentId")
        if assignment is None:
            raise ArrivalProblem(
                "This link is missing its assignmentId parameter. Please open the HIT again "
                "from Mechanical Turk."
            )
        submit_to = param_value(args, "turkSubmitTo")
        if submit_to is not None:
            parts = urlsplit(submit_to)
            if parts.scheme not in ("https", "http") or not parts.netloc:
                raise ArrivalProblem(
                    "The turkSubmitTo parameter of this link is not a web address. Please open "
                    "the HIT again from Mechanical Turk."
                )
            # The completion code is posted there: only to Mechanical Turk (or the
            # configured `submit_hosts`), never to an address someone put in a link.
            if f"{parts.scheme}://{parts.netloc}".lower() not in self.cfg.submit_hosts:
                raise ArrivalProblem(
                    "The turkSubmitTo parameter of this link does not point to Mechanical "
                    "Turk. Please open the HIT again from Mechanical Turk."
                )
        return Identity(
            worker_id=base.worker_id,
            study_id=param_value(args, "hitId"),
            session_id=assignment,
            submit_to=submit_to,
            extra=base.extra,
        )

    def submit_url(self, identity: Identity) -> str:
        """turkSubmitTo is the platform's origin (sandbox or production); the form goes to
        its /mturk/externalSubmit. Without it: the configured environment's."""
        base = identity.submit_to or MTURK_SUBMIT_HOSTS[self.cfg.sandbox]
        base = base.rstrip("/")
        return base if base.endswith(SUBMIT_PATH) else base + SUBMIT_PATH

    def action(self, identity: Identity, outcome: str) -> CompletionAction:
        code = self.code_for(identity, outcome)
        if identity.session_id is None:  # not arrived through a HIT: show the code only
            return super().action(identity, outcome)
        fields = [("assignmentId", identity.session_id), ("outcome", outcome)]
        if code:
            fields.append(("completionCode", code))
        return CompletionAction(
            outcome=outcome,
            platform=self.name,
            platform_label=self.label,
            code=code,
            form_action=self.submit_url(identity),
            form_fields=tuple(fields),
            # Finished work goes in by itself; anyone else chooses to submit or return the HIT.
            auto=outcome == COMPLETED,
            delay_ms=self.cfg.completion.auto_redirect_delay_ms,
            message=self.message(outcome),
        )


def external_question_xml(url: str, frame_height: int = 800) -> str:
    """The ExternalQuestion for a HIT showing `url`. MTurk appends workerId, assignmentId,
    hitId and turkSubmitTo to the URL itself."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ExternalQuestion xmlns="{SCHEMA}">\n'
        f"  <ExternalURL>{escape(url)}</ExternalURL>\n"
        f"  <FrameHeight>{int(frame_height)}</FrameHeight>\n"
        "</ExternalQuestion>\n"
    )
