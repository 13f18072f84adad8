"""The other panels through the one generic mechanism: a generic panel with its own redirect,
CloudResearch Connect, SONA's credit link, Microworkers' VCODEs, Clickworker and invited
experts."""

from __future__ import annotations

import html

from tests.conftest import ADMIN
from tests.web.crowd_util import annotate_until_done


def finish(app, link: str) -> str:
    c = app.test_client()
    r = c.get(link)
    assert r.status_code == 302, r.data
    annotate_until_done(c)
    return html.unescape(c.get("/done").data.decode())


def test_generic_panel_redirect_with_captured_parameters(make_project):
    app = make_project(
        items=2,
        login={"type": "url_direct", "url_argument": "response_id"},
        crowdsourcing={
            "provider": "generic",
            "generic": {
                "platform_label": "Besample",
                "capture_params": ["study"],
                "completion": {
                    "code": "BSMP-4432",
                    "redirect_url": "https://besample.example/complete?rid={worker_id}&code={code}&s={study}",
                    "message": "Thanks from the lab!",
                },
            },
        },
    )
    page = finish(app, "/?response_id=R1&study=st%201")
    assert 'href="https://besample.example/complete?rid=R1&code=BSMP-4432&s=st%201"' in page
    assert "Return to Besample" in page and "Thanks from the lab!" in page
    worker = (
        app.test_client().get("/admin/api/crowdsourcing", headers=ADMIN).json["other"]["workers"][0]
    )
    assert worker["platform"] == "generic" and worker["completion_code"] == "BSMP-4432"


def test_connect_keeps_project_and_assignment_ids(make_project):
    app = make_project(
        items=1,
        crowdsourcing={"provider": "connect", "connect": {"completion": {"code": "CONNECT-1"}}},
    )
    page = finish(app, "/?participantId=P1&assignmentId=A9&projectId=PR3")
    assert "CONNECT-1" in page and "Return to" not in page  # a code to paste, no redirect
    project = app.extensions["potato_like"]
    s = project.store.crowd.get(project.store.users.by_name("P1").id)
    assert (s.platform, s.study_id, s.session_id) == ("connect", "PR3", "A9")


def test_sona_sends_finished_participants_to_the_credit_link(make_project):
    app = make_project(
        items=1,
        crowdsourcing={
            "provider": "sona",
            "sona": {
                "hostname": "psych.sona-systems.com",
                "experiment_id": 123,
                "credit_token": "abc9",
            },
        },
    )
    page = finish(app, "/?sona_code=SC77")
    assert (
        'href="https://psych.sona-systems.com/webstudy_credit.aspx?experiment_id=123'
        '&credit_token=abc9&survey_code=SC77"'
    ) in page


def test_microworkers_get_a_per_worker_vcode(make_project):
    from potato_like.crowd.panels import vcode

    app = make_project(
        items=1,
        crowdsourcing={
            "provider": "microworkers",
            "microworkers": {
                "vcode_secret": "keep-private",
                "vcode_prefix": "mw-",
                "vcode_length": 10,
            },
        },
    )
    page = finish(app, "/?mw_id=MW5&campaign_id=C8&slot_id=S2")
    code = vcode("keep-private", "MW5", "C8", prefix="mw-", length=10)
    assert f'data-testid="completion-code">{code}<' in page
    assert "Paste this VCODE" in page


def test_clickworker_shows_its_code(make_project):
    app = make_project(
        items=1,
        login={"type": "url_direct", "url_argument": "cw_id"},
        crowdsourcing={"provider": "clickworker", "clickworker": {"completion": {"code": "CW1"}}},
    )
    assert "CW1" in finish(app, "/?cw_id=K1")


def test_experts_need_a_valid_invitation(make_project):
    app = make_project(
        items=1,
        crowdsourcing={"provider": "expert", "expert": {"invites": {"k3J9mQ2x": "med-expert-1"}}},
    )
    c = app.test_client()
    r = c.get("/?invite=forged")
    assert r.status_code == 403 and b"invitation link is not valid" in r.data
    assert app.extensions["potato_like"].store.users.count() == 0
    page = finish(app, "/?invite=k3J9mQ2x")
    assert app.extensions["potato_like"].store.users.by_name("med-expert-1").login_kind == "expert"
    assert "invoice per your contract" in page
