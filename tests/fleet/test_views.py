"""The fleet pages: app list, collision report, port map, cluster policy (Django test client)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import App, Cluster, ClusterChange, Revision

BY = Actor(None, "test")

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster(db):
    """A cluster with a service-port range of 100, so the port map shows one port per cell."""
    return Cluster.objects.create(name="prod", local_port_min=10000, local_port_max=10099)


@pytest.fixture
def fleet(cluster):
    """Two apps sharing service port 10000, one fixed host port shared, a VIP shared, one on a
    reserved port, one draft, and a clean app."""
    save_app(
        cluster, {"id": "/search", "cmd": "run", "ports": [10000], "requirePorts": True}, by=BY
    )
    save_app(
        cluster,
        {
            "id": "/admin",
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "admin"},
                "portMappings": [{"containerPort": 80, "hostPort": 31005, "servicePort": 10000}],
            },
        },
        by=BY,
    )
    save_app(
        cluster,
        {
            "id": "/web",
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "web"},
                "portMappings": [
                    {"containerPort": 80, "hostPort": 31005, "labels": {"VIP_0": "/web:80"}}
                ],
            },
        },
        by=BY,
    )
    save_app(
        cluster,
        {
            "id": "/web2",
            "cmd": "run",
            "portDefinitions": [{"port": 0, "labels": {"VIP_0": "web:80"}}],
        },
        by=BY,
    )
    save_app(cluster, {"id": "/stats", "cmd": "run", "portDefinitions": [{"port": 9090}]}, by=BY)
    save_app(
        cluster,
        {"id": "/broken", "cmd": "run", "portDefinitions": [{"port": 80}, {"port": 80}]},
        by=BY,
    )
    save_app(cluster, {"id": "/quiet", "cmd": "run", "portDefinitions": []}, by=BY)
    return cluster


def app_ids(response) -> list[str]:
    table = response.content.decode().split('id="app-table"')[1]
    return re.findall(r'/apps/\d+/">([^<]+)</a>', table)


# --- app list ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["/admin", "/broken", "/quiet", "/search", "/stats", "/web", "/web2"]),
        ({"q": "web"}, ["/web", "/web2"]),
        ({"q": "10000"}, ["/admin", "/search"]),
        ({"q": "31005"}, ["/admin", "/web"]),
        ({"q": "9000-9999"}, ["/stats"]),
        ({"q": "port 10000"}, ["/admin", "/search"]),
        ({"q": "who holds 31005?"}, ["/admin", "/web"]),
        ({"q": "Ports 9000 - 9999"}, ["/stats"]),
        ({"q": "10²"}, []),
        # Not a port (over 65535): looked for in ids, and never a query the database refuses.
        ({"q": "99999999999999999999"}, []),
        ({"q": "10000-99999999999999999999"}, []),
        ({"status": "draft"}, ["/broken"]),
        # /broken's 80 is reserved (marathon-lb binds it): a collision even in a draft.
        ({"status": "collisions"}, ["/admin", "/broken", "/search", "/stats", "/web", "/web2"]),
        ({"network": "container/bridge"}, ["/admin", "/web"]),
        ({"status": "valid", "network": "host", "q": "s"}, ["/search", "/stats"]),
        ({"sort": "port"}, ["/stats", "/admin", "/search", "/web", "/web2", "/broken", "/quiet"]),
    ],
)
def test_app_list_filters_searches_and_sorts(client, fleet, params, expected):
    response = client.get(reverse("cluster_apps", args=["prod"]), params)
    assert response.status_code == 200
    ids = app_ids(response)
    if params.get("sort") == "port":
        # /broken holds 80 twice (a draft), ahead of the rest; apps without ports come last.
        assert ids[-1] == "/quiet" and ids.index("/stats") < ids.index("/admin")
    else:
        assert ids == expected


@pytest.mark.parametrize("sort", ["id", "port", "warnings", "collisions"])
def test_app_list_sorts_ids_naturally(client, cluster, sort):
    for app_id in ("mactest100", "mactest10", "mactest2", "mactest1", "mactest20", "/group/b"):
        save_app(cluster, {"id": app_id, "cmd": "run", "portDefinitions": []}, by=BY)
    response = client.get(reverse("cluster_apps", args=["prod"]), {"sort": sort})
    # No ports, warnings or collisions: every sort falls back to the ids, in natural order.
    assert app_ids(response) == [
        "/group/b",
        "/mactest1",
        "/mactest2",
        "/mactest10",
        "/mactest20",
        "/mactest100",
    ]


def test_app_list_says_why_it_ignores_a_search_too_long(client, fleet):
    response = client.get(reverse("cluster_apps", args=["prod"]), {"q": "1" * 5000})
    assert len(app_ids(response)) == 7
    assert "Ensure this value has at most 200 characters" in response.content.decode()


def test_app_list_shows_ports_warnings_and_collision_counts(client, fleet):
    html = client.get(reverse("cluster_apps", args=["prod"]), {"q": "/admin"}).content.decode()
    assert "<code>10000</code>" in html
    # Its one port mapping collides twice: service port 10000 and fixed host port 31005.
    assert re.search(r'class="badge error" href="/clusters/prod/collisions/">2</a>', html)
    assert "container/bridge" in html


def test_app_list_counts_each_shared_vip_label_once_and_its_ports_unrepeated(client, fleet):
    # Two ports, the second named twice; its VIP_1 and /web's VIP_0 are the same VIP.
    ports = [
        {"port": 10010, "labels": {"VIP_0": "/api:80"}},
        {"port": 10011, "labels": {"VIP_0": "/api:81", "VIP_1": "/WEB:80"}},
    ]
    save_app(fleet, {"id": "/api", "cmd": "run", "portDefinitions": ports}, by=BY)
    html = client.get(reverse("cluster_apps", args=["prod"]), {"q": "/api"}).content.decode()
    assert re.search(r'class="badge error" href="/clusters/prod/collisions/">1</a>', html)
    # The VIP rows do not multiply the port list (a second join would).
    assert html.count("<code>10010</code>") == 1 and html.count("<code>10011</code>") == 1
    listed = client.get(reverse("cluster_apps", args=["prod"]), {"status": "collisions"})
    assert "/api" in app_ids(listed)


@pytest.mark.parametrize(
    "params",
    [{"page": "abc"}, {"page": "999"}, {"sort": "nonsense"}, {"status": "x", "network": "y"}],
)
def test_app_list_bad_query_params_still_list_the_apps(client, fleet, params):
    response = client.get(reverse("cluster_apps", args=["prod"]), params)
    assert response.status_code == 200
    assert app_ids(response)


def test_app_list_paginates_at_100(client, cluster):
    for i in range(105):
        save_app(cluster, {"id": f"/a{i:03d}", "cmd": "run", "portDefinitions": []}, by=BY)
    first = client.get(reverse("cluster_apps", args=["prod"]), {"sort": "id", "q": "/a"})
    second = client.get(reverse("cluster_apps", args=["prod"]), {"page": "2"})
    assert len(app_ids(first)) == 100 and app_ids(second) == [f"/a{i}" for i in range(100, 105)]
    # The pager keeps the filters, so page 2 is page 2 of the same search.
    assert 'href="?sort=id&amp;q=%2Fa&amp;page=2" rel="next"' in first.content.decode()


def test_app_list_query_count_does_not_grow_with_the_fleet(
    client, cluster, django_assert_num_queries
):
    url = reverse("cluster_apps", args=["prod"])
    for n in (3, 30):
        for i in range(App.objects.count(), n):
            save_app(cluster, {"id": f"/app{i:02d}", "cmd": "run", "ports": [10050, 0]}, by=BY)
        # session, user, the cluster, colliding marathon-lb (group, port) pairs, their apps,
        # the count, the page, the page's pending changes
        with django_assert_num_queries(8):
            response = client.get(url, {"status": "collisions", "sort": "warnings"})
        assert response.status_code == 200


def test_app_list_htmx_search_returns_the_table_fragment_only(client, fleet):
    response = client.get(
        reverse("cluster_apps", args=["prod"]),
        {"q": "stats"},
        headers={"HX-Request": "true", "HX-Target": "app-table"},
    )
    html = response.content.decode()
    assert html.startswith('<div id="app-table"') and "<html" not in html
    assert app_ids(response) == ["/stats"]
    # Page or fragment by the same URL: a cache must not hand one for the other.
    assert "HX-Request" in response["Vary"]


def test_app_list_form_works_without_js(client, fleet):
    html = client.get(reverse("cluster_apps", args=["prod"])).content.decode()
    assert 'method="get"' in html and 'name="q"' in html and 'hx-target="#app-table"' in html


# --- collision report -------------------------------------------------------------------------


def test_collision_report_lists_every_kind_with_pointers_and_links(client, fleet):
    html = client.get(reverse("cluster_collisions", args=["prod"])).content.decode()
    admin = App.objects.get(app_id="/admin")
    for text in (
        "Service ports held by more than one app",
        "Fixed host ports held by more than one app",
        "VIPs used by more than one app",
        "Service ports on the cluster&#x27;s reserved ports",
        "/container/portMappings/0/servicePort",
        "/portDefinitions/0/port",
        "/container/portMappings/0/hostPort",
        "/portDefinitions/0/labels",
        "<code>9090</code>",
        f'href="{reverse("app_edit", args=["prod", admin.pk])}"',
    ):
        assert text in html, text
    assert "5 collisions" in html  # 10000, 31005, web:80, and reserved 9090 and 80
    # Suggested fixes: the next free service ports (10000-10002 are held).
    assert "Next free service ports: <code>10003</code>" in html


def test_collision_report_query_count_is_flat(client, cluster, django_assert_num_queries):
    url = reverse("cluster_collisions", args=["prod"])
    for n in (2, 20):
        for i in range(App.objects.count(), n):
            save_app(cluster, {"id": f"/dup{i:02d}", "cmd": "run", "ports": [10050, 0]}, by=BY)
        # cluster, colliding port rows, colliding VIP rows, colliding marathon-lb (group, port)
        # pairs, their bind rows, their apps' keys, first free port, one batch of gaps
        with django_assert_num_queries(10):
            response = client.get(url)
        assert response.status_code == 200


def test_collision_report_clean_cluster_says_so(client, cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [0]}, by=BY)
    html = client.get(reverse("cluster_collisions", args=["prod"])).content.decode()
    assert "No collisions" in html


# --- port map ---------------------------------------------------------------------------------


def test_port_map_draws_cells_with_states_descriptions_and_free_stretches(client, fleet):
    html = client.get(reverse("cluster_port_map", args=["prod"])).content.decode()
    assert 'role="group" aria-label="Service ports 10000–10099"' in html
    # 100 ports: one port per cell; 10000 collides, 10001 is /web's, the rest free. A held cell
    # is a link (focusable, activated by Enter) named by its description; a free one is not.
    assert re.search(
        r'<a class="cell colliding" href="/clusters/prod/\?q=10000" title="10000: 1 of 1 held by '
        r'2 apps \(/admin … /search\); 1 colliding"></a>',
        html,
    )
    assert (
        '<a class="cell full" href="/clusters/prod/?q=10001" title="10001: 1 of 1 held by /web"'
        in html
    )
    assert '<span class="cell free" title="10050: free"></span>' in html
    assert "<li>10003–10099</li>" in html
    assert "97 of 100 service ports free" in html
    # The host band over the agent range shows the shared fixed host port.
    assert re.search(r'title="31005[^"]*colliding"', html)
    assert "Next free service ports: <code>10003</code>" in html


def test_port_map_labels_the_rows_of_each_width(client, fleet):
    html = client.get(reverse("cluster_port_map", args=["prod"])).content.decode()
    grid = html.split('id="service-grid"')[1].split("</div>")[0]
    labels = re.findall(r'<span class="row-label([^"]*)" aria-hidden="true">(\d+)</span>', grid)
    # A label before every 10th cell, marked where rows of 20 and 40 cells start too.
    assert labels[:5] == [
        (" r20 r40", "10000"),
        ("", "10010"),
        (" r20", "10020"),
        ("", "10030"),
        (" r20 r40", "10040"),
    ]
    assert len(labels) == 10


def test_port_map_lists_held_stretches_for_those_without_the_grid(client, fleet):
    html = client.get(reverse("cluster_port_map", args=["prod"])).content.decode()
    table = html.split('id="service-grid-held"')[1].split("</details>")[0]
    # 10000-10002 are held side by side (by /admin, /search, /web and /web2), the rest is free.
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    assert len(rows) == 1
    assert 'href="/clusters/prod/?q=10000-10002">10000–10002</a>' in rows[0]
    assert '<span class="badge error">1</span>' in rows[0]
    assert "/admin … /web2" in rows[0]


def test_port_map_buckets_a_large_range(client):
    big = Cluster.objects.create(name="big")
    save_app(big, {"id": "/a", "cmd": "run", "ports": [10000, 10005, 19999]}, by=BY)
    html = client.get(reverse("cluster_port_map", args=["big"])).content.decode()
    assert "Each cell is 10 ports" in html
    assert 'href="/clusters/big/?q=10000-10009" title="10000–10009: 2 of 10 held by /a"' in html
    assert html.count('class="cell ') == 1001 + 1001  # service grid + host band, one port a cell


def test_port_map_query_count_is_flat(client, cluster, django_assert_num_queries):
    url = reverse("cluster_port_map", args=["prod"])
    for n in (2, 20):
        for i in range(App.objects.count(), n):
            save_app(cluster, {"id": f"/s{i:02d}", "cmd": "run", "ports": [0]}, by=BY)
        with django_assert_num_queries(11):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["cluster_apps", "cluster_collisions", "cluster_port_map"])
def test_fleet_pages_unknown_cluster_is_404(client, db, name):
    assert client.get(reverse(name, args=["nope"])).status_code == 404


@pytest.mark.parametrize("name", ["cluster_apps", "cluster_collisions", "cluster_port_map"])
def test_fleet_pages_refuse_post(client, cluster, name):
    assert client.post(reverse(name, args=["prod"])).status_code == 405


# --- cluster policy ---------------------------------------------------------------------------

POLICY = {
    "description": "",
    "local_port_min": "10000",
    "local_port_max": "10099",
    "agent_port_ranges": "31000-32000",
    "reserved_ports": "80, 443, 9090, 9091",
    "default_network_name": "",
    "mesos_bridge_name": "mesos-bridge",
    "env_vars_prefix": "",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"local_port_max": "9000"}, "local_port_max", "must not be lower than local_port_min"),
        ({"local_port_min": "abc"}, "local_port_min", "Enter a whole number."),
        ({"local_port_max": "70000"}, "local_port_max", "70000 is not a port number"),
        ({"agent_port_ranges": "32000-31000"}, "agent_port_ranges", "is backwards"),
        ({"agent_port_ranges": "lots"}, "agent_port_ranges", "must be a range such as"),
        ({"reserved_ports": "80, http"}, "reserved_ports", "separated by commas"),
        ({"reserved_ports": "70000"}, "reserved_ports", "is not a port number"),
        ({"mesos_bridge_name": "Bad Name"}, "mesos_bridge_name", "valid network name"),
        ({"default_network_name": "-x"}, "default_network_name", "valid network name"),
        ({"env_vars_prefix": "MY-"}, "env_vars_prefix", "letters, digits and underscores"),
    ],
)
def test_settings_invalid_policy_shows_the_message_on_the_field(
    client, cluster, changes, field, message
):
    response = client.post(reverse("cluster_settings", args=["prod"]), {**POLICY, **changes})
    assert response.status_code == 200
    html = response.content.decode()
    errors = html.split(f'id="id_{field}_errors"')[1].split("</ul>")[0]
    assert message in errors
    cluster.refresh_from_db()
    assert cluster.local_port_max == 10099 and cluster.agent_port_ranges == "31000-32000"


def breaking_fleet(cluster) -> dict:
    """Three apps, and a policy that would newly break them: /b invalid (the narrowed range is
    full after /a), /c on a now-reserved port, and warnings for ports outside the range."""
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [0, 0]}, by=BY)
    save_app(cluster, {"id": "/b", "cmd": "run", "ports": [0]}, by=BY)
    save_app(cluster, {"id": "/c", "cmd": "run", "ports": [10050]}, by=BY)
    return {**POLICY, "local_port_max": "10001", "reserved_ports": "80, 10050"}


def stored_fleet(cluster) -> list:
    apps = App.objects.filter(cluster=cluster).order_by("app_id")
    return [
        (a.app_id, a.version, a.is_valid, [p.service_port for p in a.allocations.all()])
        for a in apps
    ]


def test_settings_post_shows_what_would_break_and_saves_nothing(client, cluster):
    policy = breaking_fleet(cluster)
    before = stored_fleet(cluster)
    response = client.post(reverse("cluster_settings", args=["prod"]), policy)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing is saved yet" in html
    assert "re-checking the 3 apps of prod" in html
    assert "1 app now invalid, 1 new warning, 1 new collision" in html
    assert "<li><code>/b</code></li>" in html  # the range 10000-10001 is full after /a
    assert "Reserved port 10050 is used as a service port by /c" in html
    # Each warning with the engine's explanation, not only its code.
    assert '<span class="code">service-port-outside-range</span>' in html
    assert "is outside the cluster&#x27;s service-port range 10000-10001" in html
    # The settings that change, then and now.
    assert re.search(r"Local port max</th><td><code>10099</code></td><td><code>10001</code>", html)
    # Apply posts the same values again; Back to edit shows them in the form.
    form = html.split('class="actions policy-confirm"')[1].split("</form>")[0]
    assert '<input type="hidden" name="local_port_max" value="10001"' in form
    assert '<input type="hidden" name="reserved_ports" value="80, 10050"' in form
    assert 'name="action" value="apply"' in form and 'name="action" value="edit"' in form

    cluster.refresh_from_db()
    assert cluster.local_port_max == 10099 and cluster.reserved_ports == "80,443,9090,9091"
    assert stored_fleet(cluster) == before


def test_settings_apply_saves_rechecks_fleet_and_reports_what_broke(client, cluster):
    policy = breaking_fleet(cluster)
    response = client.post(
        reverse("cluster_settings", args=["prod"]), {**policy, "action": "apply"}, follow=True
    )
    assert response.redirect_chain == [(reverse("cluster_settings", args=["prod"]), 302)]
    html = response.content.decode()
    assert "re-checked its 3 apps" in html
    assert "Now invalid (1): /b" in html
    assert "Reserved port 10050 is used as a service port by /c" in html
    assert "service-port-outside-range at /portDefinitions/0/port" in html
    a = App.objects.get(app_id="/a")
    assert list(a.allocations.values_list("service_port", flat=True)) == [10000, 10001]
    assert a.version == 2
    cluster.refresh_from_db()
    assert cluster.reserved_ports == "80,10050"


def test_settings_review_finds_what_apply_then_breaks(client, cluster):
    policy = breaking_fleet(cluster)
    url = reverse("cluster_settings", args=["prod"])
    review = client.post(url, policy).content.decode()
    applied = client.post(url, {**policy, "action": "apply"}, follow=True).content.decode()
    # The dry run went through the same deployment: the same apps, warnings and collisions.
    for text in ("/b", "/portDefinitions/0/port", "Reserved port 10050 is used"):
        assert text in review and text in applied


def test_settings_review_lists_service_ports_that_would_move(client, cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [0]}, by=BY)  # 10000
    save_app(cluster, {"id": "/b", "cmd": "run", "ports": [0, 0]}, by=BY)  # 10001, 10002
    url = reverse("cluster_settings", args=["prod"])
    policy = {**POLICY, "local_port_min": "10001"}
    html = client.post(url, policy).content.decode()
    # /a's port is outside the new range: it gets the next free one; /b keeps its ports.
    assert re.search(r"<code>/a</code></td><td>10000</td><td>10003</td>", html)
    assert "<code>/b</code></td>" not in html
    applied = client.post(url, {**policy, "action": "apply"}, follow=True)
    assert "Service ports moved (1): /a 10000 → 10003." in applied.content.decode()


def test_settings_review_moves_ports_not_a_blue_green_alternate_and_records_nothing(
    client, cluster
):
    # /a's alternate port (a label) is held beside its port 0, at the same index.
    labels = {"HAPROXY_DEPLOYMENT_ALT_PORT": "10050"}
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [0], "labels": labels}, by=BY)
    url = reverse("cluster_settings", args=["prod"])
    policy = {**POLICY, "local_port_min": "10001"}
    revisions, changes = Revision.objects.count(), ClusterChange.objects.count()
    with CaptureQueriesContext(connection) as queries:
        html = client.post(url, policy).content.decode()
    assert re.search(r"<code>/a</code></td><td>10000</td><td>10001</td>", html)
    # A review writes no revision nor policy change, not even one it then rolls back.
    written = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert not [sql for sql in written if "revision" in sql or "clusterchange" in sql]
    assert (Revision.objects.count(), ClusterChange.objects.count()) == (revisions, changes)


def test_settings_back_to_edit_shows_the_values_in_the_form_unsaved(client, cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [0]}, by=BY)
    response = client.post(
        reverse("cluster_settings", args=["prod"]),
        {**POLICY, "local_port_max": "10500", "action": "edit"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Nothing is saved yet" not in html
    assert re.search(r'name="local_port_max" value="10500"', html)
    assert Cluster.objects.get(name="prod").local_port_max == 10099


def test_settings_with_nothing_broken_says_so_and_still_asks_to_apply(client, cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [0]}, by=BY)
    url = reverse("cluster_settings", args=["prod"])
    html = client.post(url, {**POLICY, "description": "Production"}).content.decode()
    assert "Nothing: no app would become invalid" in html
    assert 'name="action" value="apply"' in html
    assert Cluster.objects.get(name="prod").description == ""

    applied = {**POLICY, "description": "Production", "action": "apply"}
    response = client.post(url, applied, follow=True)
    assert "nothing new broke" in response.content.decode()
    assert Cluster.objects.get(name="prod").description == "Production"


def test_settings_apply_of_an_invalid_policy_shows_the_form_and_saves_nothing(client, cluster):
    response = client.post(
        reverse("cluster_settings", args=["prod"]),
        {**POLICY, "local_port_max": "9000", "action": "apply"},
    )
    assert response.status_code == 200
    assert "must not be lower than local_port_min" in response.content.decode()
    assert Cluster.objects.get(name="prod").local_port_max == 10099


def test_settings_unknown_cluster_is_404(client, db):
    assert client.get(reverse("cluster_settings", args=["nope"])).status_code == 404


def test_new_cluster_creates_and_redirects_to_its_apps(client, db):
    response = client.post(reverse("cluster_new"), {**POLICY, "name": "staging"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cluster_apps", args=["staging"])
    assert Cluster.objects.get(name="staging").local_port_max == 10099


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "prod"}, "already exists"),
        ({"name": "not a slug"}, "Enter a valid"),
        ({"name": "ok", "local_port_min": "20000", "local_port_max": "10000"}, "must not be lower"),
    ],
)
def test_new_cluster_invalid_shows_messages(client, cluster, changes, message):
    response = client.post(reverse("cluster_new"), {**POLICY, **changes})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Cluster.objects.count() == 1


def test_home_links_new_cluster_and_fleet_pages(client, cluster):
    html = client.get(reverse("home")).content.decode()
    for url in (
        reverse("cluster_new"),
        reverse("cluster_collisions", args=["prod"]),
        reverse("cluster_port_map", args=["prod"]),
        reverse("cluster_settings", args=["prod"]),
    ):
        assert f'href="{url}"' in html
