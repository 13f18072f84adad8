"""The admin dashboard pages: sign-in with the key or an admin user, pages, bad input."""

from __future__ import annotations

import re
import time

from tests.conftest import ADMIN, answer, csrf_headers, current_id, login

KEY = ADMIN["X-API-Key"]


def sign_in(client, key=KEY, next_path=""):
    return client.post("/admin/login", data={"key": key, "next": next_path})


def test_pages_send_strangers_to_the_sign_in_page(make_project):
    app = make_project()
    c = app.test_client()
    r = c.get("/admin")
    assert r.status_code == 302 and "/admin/login?next=/admin" in r.headers["Location"]
    assert b"Admin key" in c.get("/admin/login").data
    login(c, "ann")  # an annotator is not an admin either
    assert c.get("/admin/annotators/").status_code == 302


def test_sign_in_with_the_key_opens_dashboard_and_api(make_project):
    app = make_project(items=4)
    a = login(app.test_client(), "ann")
    answer(a, current_id(a), **{"sentiment:positive": "1"})
    c = app.test_client()
    r = sign_in(c, key="wrong-key-000000")
    assert r.status_code == 401 and b"not the admin key" in r.data
    r = sign_in(c, next_path="/admin/instances/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/instances/")
    page = c.get("/admin").data.decode()
    assert re.search(r'data-testid="kpi-items">4<', page)
    assert re.search(r'data-testid="kpi-annotations">1<', page)
    assert "<svg" in page and "25.0%" in page
    assert c.get("/admin/api/overview").json["total_annotations"] == 1  # JSON API too
    c.post("/admin/logout", headers=csrf_headers(c))
    assert c.get("/admin").status_code == 302
    assert c.get("/admin/api/overview").status_code == 403


def test_sign_in_never_redirects_off_site(make_project):
    app = make_project()
    for target in ("//evil.example/x", "https://evil.example", "/annotate"):
        r = sign_in(app.test_client(), next_path=target)
        assert r.status_code == 302 and r.headers["Location"].endswith("/admin"), target


def test_admin_users_need_no_key(make_project):
    app = make_project(
        admin_users=["boss"], user_config={"users": [{"username": "boss", "password": "boss-pw-1"}]}
    )
    c = login(app.test_client(), "boss", "boss-pw-1")
    assert c.get("/admin").status_code == 200


def test_annotators_and_items_pages(make_project):
    app = make_project(items=60, max_annotations_per_item=1)
    for name in ("ann", "bob"):
        c = login(app.test_client(), name)
        answer(c, current_id(c), **{"sentiment:positive": "1"})
    admin = app.test_client()
    sign_in(admin)
    page = admin.get("/admin/annotators/").data.decode()
    assert "<td>ann</td>" in page and "<td>bob</td>" in page
    assert "Seconds per item" in page and "Agreement with others" in page
    items = admin.get("/admin/instances/").data.decode()
    assert "item_001" in items and "Page 1 of 2" in items and 'rel="next"' in items
    second = admin.get("/admin/instances/?page=2").data.decode()
    assert "item_060" in second and 'rel="prev"' in second
    done = admin.get("/admin/instances/?status=completed").data.decode()
    assert "item_001" in done and "item_002" in done and "item_003" not in done
    assert admin.get("/admin/instances/?status=nope").status_code == 400
    assert admin.get("/admin/instances/?page=0").status_code == 400


def test_key_sign_in_is_rate_limited(make_project):
    app = make_project(admin_key_rate_limit="3 per 10 minutes")
    c = app.test_client()
    for _ in range(3):
        sign_in(c, key="wrong-key-000000")
    r = sign_in(c)
    assert r.status_code == 429 and b"Too many" in r.data


def test_item_page_shows_answers_side_by_side(make_project):
    app = make_project(
        items=3,
        schemes=[
            {
                "annotation_type": "radio",
                "name": "sentiment",
                "description": "Sentiment?",
                "labels": ["pos", "neg"],
            },
            {
                "annotation_type": "multiselect",
                "name": "topics",
                "description": "Topics?",
                "labels": ["a", "b"],
            },
        ],
    )
    for user, label in (("ann", "pos"), ("bob", "neg")):
        c = login(app.test_client(), user)
        c.post(
            "/updateinstance",
            json={
                "instance_id": current_id(c),
                "annotations": {f"sentiment:{label}": "1", "topics:a": "1", "topics:b": "1"},
            },
        )
    admin = app.test_client()
    sign_in(admin)
    page = admin.get("/admin/item/item_001").data.decode()
    assert "Text number 1." in page and '<th scope="col">Sentiment?</th>' in page
    assert re.search(r"<td>ann</td>\s*<td>pos</td>\s*<td>a, b</td>", page)
    assert re.search(r"<td>bob</td>\s*<td>neg</td>", page)
    assert "+ sentiment: neg" in page  # history
    r = admin.get("/admin/find?id=item_001")
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/item/item_001")
    assert admin.get("/admin/item/nope").status_code == 404
    assert b'href="/admin/item/item_001"' in admin.get("/admin/instances/").data


def test_agreement_answers_and_stale_pages(make_project):
    app = make_project(items=3, max_annotations_per_item=3, assignment_timeout_minutes=1)
    project = app.extensions["potato_like"]
    for user, label in (("ann", "positive"), ("bob", "positive"), ("cat", "negative")):
        c = login(app.test_client(), user)
        answer(c, current_id(c), **{f"sentiment:{label}": "1"})
    idle = login(app.test_client(), "dan")
    assert current_id(idle) == "item_002"  # item_001 has its 3 annotators; dan walks away
    admin = app.test_client()
    sign_in(admin)
    page = admin.get("/admin/agreement/").data.decode()
    assert 'data-testid="agreement"' in page and 'data-testid="confusion-sentiment"' in page
    # ann-bob agree (positive/positive); each of them disagrees with cat: 2 positive/negative pairs
    assert re.search(
        r'<th scope="row">positive</th>\s*<td class="num diag"[^>]*>2</td>\s*<td class="num"[^>]*>2</td>',
        page,
    )
    answers = admin.get("/admin/questions/").data.decode()
    assert (
        'data-testid="question-sentiment"' in answers
        and '<th scope="row">positive</th><td class="num">2</td>' in answers
    )
    stale = project.store.admin.stale_leases(60, limit=10, now=time.time() + 120)[0]
    assert [(s.username, s.item_id) for s in stale] == [("dan", "item_002")]
    form = {"user_id": "dan", "instance_id": "item_002"}
    r = admin.post("/admin/stale/reclaim", data=form, headers=csrf_headers(admin))
    assert r.status_code == 302 and "reclaimed=" in r.headers["Location"]
    r = admin.post("/admin/stale/reclaim", data=form, headers=csrf_headers(admin))
    assert r.status_code == 409
    assert admin.get("/admin/stale/").status_code == 200


def test_activity_page_flags_a_fast_clicker(make_project):
    app = make_project(items=40, suspicious_activity={"rapid_submissions_per_minute": 5})
    fast = login(app.test_client(), "speedy")
    for _ in range(8):
        answer(fast, current_id(fast), **{"sentiment:positive": "1"})
        fast.post("/go_to", json={"action": "next_instance"})
    admin = app.test_client()
    sign_in(admin)
    page = admin.get("/admin/activity/").data.decode()
    assert "<td>speedy</td>" in page and "rapid submissions" in page
    assert admin.get("/admin/activity/?hours=abc").status_code == 400
    assert admin.get("/admin/activity/?hours=9999").status_code == 400


def test_timeline_page(make_project):
    app = make_project(items=4, max_annotations_per_item=2)
    for name, label in (("ann", "positive"), ("bob", "negative")):
        c = login(app.test_client(), name)
        answer(c, current_id(c), **{f"sentiment:{label}": "1"})
    admin = app.test_client()
    assert admin.get("/admin/timeline/").status_code == 302  # sign in first
    sign_in(admin)
    page = admin.get("/admin/timeline/").data.decode()
    assert page.index(">bob</a>") < page.index(">ann</a>")  # newest first
    assert "sentiment: negative" in page and 'href="/admin/item/item_001"' in page
    only_ann = admin.get("/admin/timeline/?user=ann&item=item_001&minutes=5").data.decode()
    assert ">ann</a>" in only_ann and ">bob</a>" not in only_ann
    nobody = admin.get("/admin/timeline/?user=zed&item=nope").data.decode()
    assert "no annotator &#39;zed&#39;" in nobody and "no item &#39;nope&#39;" in nobody
    assert "No changes recorded for this filter" in nobody
    assert admin.get("/admin/timeline/?minutes=-1").status_code == 400
    assert admin.get("/admin/timeline/?minutes=abc").status_code == 400


def test_items_page_searches_ids_and_text(make_project):
    app = make_project(items=120)  # texts "Text number N."
    a = login(app.test_client(), "ann")
    answer(a, current_id(a), **{"sentiment:positive": "1"})
    c = app.test_client()
    sign_in(c)
    page = c.get("/admin/instances/?q=NUMBER 11").data.decode()
    found = re.findall(r"<code>(item_\d+)</code>", page)
    assert found == [
        "item_011",
        "item_110",
        "item_111",
        "item_112",
        "item_113",
        "item_114",
        "item_115",
        "item_116",
        "item_117",
        "item_118",
        "item_119",
    ]
    assert "matching “NUMBER 11”" in page and "Next" not in page
    # By id, combined with a status filter, and a page past the first.
    page = c.get("/admin/instances/?q=item_001&status=completed").data.decode()
    assert re.findall(r"<code>(item_\d+)</code>", page) == ["item_001"]
    assert "<code>" not in c.get("/admin/instances/?q=item_001&status=unassigned").data.decode()
    page = c.get("/admin/instances/?q=number").data.decode()
    assert len(re.findall(r"<code>item_", page)) == 50 and "More results →" in page
    nxt = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    page2 = c.get(nxt).data.decode()
    assert re.findall(r"<code>(item_\d+)</code>", page2)[0] == "item_051"
    nxt = re.search(r'href="([^"]+)" rel="next"', page2).group(1).replace("&amp;", "&")
    page3 = c.get(nxt).data.decode()
    assert len(re.findall(r"<code>item_", page3)) == 20 and "End of the results" in page3
    # LIKE wildcards in the query are plain characters.
    assert "<code>" not in c.get("/admin/instances/?q=%25_").data.decode()


def test_search_pauses_on_large_tables_and_resumes(make_project):
    app = make_project(items=30)
    stats = app.extensions["potato_like"].store.stats
    # Windows of 10 items and no time left: one window per call, resumed where it stopped.
    rows, resume, searched = stats.search_instances("number 2", None, 50, 0, 0.0, 10)
    assert ([r["id"] for r in rows], resume, searched) == (["item_002"], 10, 10)
    rows, resume, searched = stats.search_instances("number 2", None, 50, resume, 0.0, 10)
    assert ([r["id"] for r in rows], resume) == (["item_020"], 20)
    rows, resume, _ = stats.search_instances("number 2", None, 50, resume, 0.0, 10)
    assert [r["id"] for r in rows] == [f"item_{i:03d}" for i in range(21, 30)] and resume is None
    # With time to spare, one call reads every window.
    rows, resume, _ = stats.search_instances("number 2", None, 50, 0, 10.0, 10)
    assert len(rows) == 11 and resume is None
