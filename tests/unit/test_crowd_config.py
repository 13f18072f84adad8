"""Crowd settings: every problem reported with its key path, Potato's spellings accepted."""

from __future__ import annotations

import pytest

from potato_like.config import load_config
from potato_like.crowd.base import Identity, fill
from potato_like.crowd.panels import vcode, verify_vcode
from potato_like.errors import ConfigError
from tests.conftest import base_config, write_config, write_items


@pytest.fixture
def load(tmp_path):
    write_items(tmp_path / "data.jsonl", 3)

    def run(**overrides):
        return load_config(write_config(tmp_path, base_config(**overrides)))

    return run


def problems(load, **overrides) -> str:
    with pytest.raises(ConfigError) as err:
        load(**overrides)
    return "\n".join(err.value.problems)


def test_no_crowd_settings_means_no_crowd(load):
    assert load().crowd is None


def test_prolific_login_defaults(load):
    cfg = load(login={"type": "prolific"}, completion_code="C1", require_password=None)
    crowd = cfg.crowd
    assert (crowd.provider, crowd.id_param, crowd.login_kind) == (
        "prolific",
        "PROLIFIC_PID",
        "prolific",
    )
    assert crowd.completion.code == "C1" and crowd.completion.failed_code is None
    assert cfg.require_password is False  # workers arriving by URL have no password


def test_codes_redirects_and_delays_resolve_in_order(load):
    cfg = load(
        login={"type": "url_direct", "auto_redirect_delay": 2500},
        completion_code="TOP",
        auto_redirect_on_completion=True,
        auto_redirect_delay=9000,
        prolific={"completion_code": "PROLIFIC_BLOCK"},
    )
    c = cfg.crowd.completion
    assert (c.code, c.auto_redirect, c.auto_redirect_delay_ms) == ("PROLIFIC_BLOCK", True, 2500)
    cfg = load(
        crowdsourcing={
            "provider": "generic",
            "generic": {"completion": {"code": "G", "auto_redirect": False}},
        },
        completion_code="TOP",
        auto_redirect_on_completion=True,
    )
    assert cfg.login.type == "url_direct"  # a crowdsourcing block implies it
    assert (cfg.crowd.completion.code, cfg.crowd.completion.auto_redirect) == ("G", False)


def test_all_problems_at_once_with_key_paths(load):
    text = problems(
        load,
        login={"type": "password"},
        crowdsourcing={
            "provider": "generic",
            "time_limit_minutes": 0,
            "generic": {
                "id_param": "pid",
                "completion": {"redirect_url": "https://x.example/?c={code}&who={name}"},
            },
        },
    )
    assert "login.type: 'password' cannot receive workers" in text
    assert "crowdsourcing.time_limit_minutes: must be more than 0" in text
    assert "crowdsourcing.generic.completion.redirect_url: unknown placeholder(s) {name}" in text


def test_more_problems(load):
    assert "crowdsourcing.provider: 'prolfic' is not one of" in problems(
        load, crowdsourcing={"provider": "prolfic"}
    )
    assert "did you mean 'prolific'" in problems(load, crowdsourcing={"provider": "prolfic"})
    assert "crowdsourcing.provider: is required" in problems(load, crowdsourcing={"generic": {}})
    assert "must be an http(s) URL" in problems(
        load,
        crowdsourcing={
            "provider": "generic",
            "generic": {"completion": {"redirect_url": "ftp://x"}},
        },
    )
    assert (
        "crowdsourcing.connect.id_param: 'pid' differs from login.url_argument 'participantId'"
        in problems(
            load,
            login={"type": "url_direct", "url_argument": "participantId"},
            crowdsourcing={"provider": "connect", "connect": {"id_param": "pid"}},
        )
    )
    assert (
        "crowdsourcing.expert.invites: the expert provider admits invited people only"
        in problems(load, crowdsourcing={"provider": "expert"})
    )
    assert (
        "crowdsourcing.sona.hostname: SONA's credit link needs hostname, credit_token"
        in problems(load, crowdsourcing={"provider": "sona", "sona": {"experiment_id": 12}})
    )
    assert "login.type: 'prolific' contradicts crowdsourcing.provider 'mturk'" in problems(
        load, login={"type": "prolific"}, crowdsourcing={"provider": "mturk"}
    )
    assert "crowdsourcing.expert.invites_file: cannot read" in problems(
        load, crowdsourcing={"provider": "expert", "expert": {"invites_file": "missing.yaml"}}
    )


def test_tokens_stay_out_of_configs_and_later_keys_warn(load):
    cfg = load(
        login={"type": "prolific"},
        prolific={"token": "abc", "workload_checker": True, "study_id": "65f0c0ffee0000000000beef"},
        mturk={"hit_id": "H"},
    )
    text = "\n".join(cfg.warnings)
    assert (
        "prolific.token: ignored: the Prolific API token is read from the PROLIFIC_API_TOKEN"
        in text
    )
    assert "prolific.workload_checker: accepted but not implemented yet" in text
    assert "mturk.hit_id: accepted but not implemented yet" in text
    assert cfg.crowd.study_id == "65f0c0ffee0000000000beef"


def test_invite_lists_inline_and_from_files(load, tmp_path):
    (tmp_path / "invites.yaml").write_text("tokC: expert-carol\ntokD:\n")
    (tmp_path / "invites.txt").write_text("# hired in May\nline1\nline2\n")
    cfg = load(
        crowdsourcing={
            "provider": "expert",
            "expert": {"invites": {"tokA": "expert-alice"}, "invites_file": "invites.yaml"},
        }
    )
    assert cfg.crowd.invite_name("tokA") == "expert-alice"
    assert cfg.crowd.invite_name("tokC") == "expert-carol"
    assert cfg.crowd.invite_name("tokD") == "tokD"
    assert cfg.crowd.invite_name("forged") is None
    cfg = load(crowdsourcing={"provider": "generic", "generic": {"invites_file": "invites.txt"}})
    assert cfg.crowd.invite_name("line2") == "line2"
    assert cfg.crowd.invite_name("# hired in May") is None


def test_redirect_templates_encode_their_values():
    identity = Identity(worker_id="w 1&x=2", session_id="s/1", extra={"study": "a?b"})
    url = fill(
        "https://p.example/done?w={worker_id}&s={session_id}&c={code}&st={study}&m={missing}",
        identity,
        "C 1",
    )
    assert url == "https://p.example/done?w=w%201%26x%3D2&s=s%2F1&c=C%201&st=a%3Fb&m="


def test_vcodes_are_stable_per_worker_and_campaign():
    a = vcode("secret", "w1", "c1", prefix="mw-", length=10)
    assert a == vcode("secret", "w1", "c1", prefix="mw-", length=10)
    assert a.startswith("mw-") and len(a) == 13
    assert (
        len(
            {
                a,
                vcode("secret", "w2", "c1"),
                vcode("secret", "w1", "c2"),
                vcode("other", "w1", "c1"),
            }
        )
        == 4
    )
    assert verify_vcode("secret", "w1", "c1", a, prefix="mw-", length=10)
    assert not verify_vcode("secret", "w2", "c1", a, prefix="mw-", length=10)
