"""The fleet pages: app list, collision report, port map, cluster policy (Django test client)."""

import re

import pytest
from django.urls import reverse

from portplanner.fleet.deploy import save_app
from portplanner.models import App, Cluster

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster(db):
    """A cluster with a service-port range of 100, so the port map shows one port per cell."""
    return Cluster.objects.create(name="prod", local_port_min=10000, local_port_max=10099)


@pytest.fixture
def fleet(cluster):
    """Two apps sharing service port 10000, one fixed host port shared, a VIP shared, one on a
    reserved port, one draft, and a clean app."""
    save_app(cluster, {"id": "/search", "cmd": "run", "ports": [10000], "requirePorts": True})
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
    )
    save_app(
        cluster,
        {
            "id": "/web2",
            "cmd": "run",
            "portDefinitions": [{"port": 0, "labels": {"VIP_0": "web:80"}}],
        },
    )
    save_app(cluster, {"id": "/stats", "cmd": "run", "portDefinitions": [{"port": 9090}]})
    save_app(
        cluster, {"id": "/broken", "cmd": "run", "portDefinitions": [{"port": 80}, {"port": 80}]}
    )
    save_app(cluster, {"id": "/quiet", "cmd": "run", "portDefinitions": []})
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
    save_app(fleet, {"id": "/api", "cmd": "run", "portDefinitions": ports})
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
        save_app(cluster, {"id": f"/a{i:03d}", "cmd": "run", "portDefinitions": []})
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
            save_app(cluster, {"id": f"/app{i:02d}", "cmd": "run", "ports": [10050, 0]})
        # the cluster, colliding marathon-lb (group, port) pairs, their apps, the count, the page
        with django_assert_num_queries(5):
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
            save_app(cluster, {"id": f"/dup{i:02d}", "cmd": "run", "ports": [10050, 0]})
        # cluster, colliding port rows, colliding VIP rows, colliding marathon-lb (group, port)
        # pairs, their bind rows, their apps' keys, first free port, one batch of gaps
        with django_assert_num_queries(8):
            response = client.get(url)
        assert response.status_code == 200


def test_collision_report_clean_cluster_says_so(client, cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [0]})
    html = client.get(reverse("cluster_collisions", args=["prod"])).content.decode()
    assert "No collisions" in html


# --- port map ---------------------------------------------------------------------------------


def test_port_map_draws_cells_with_states_tooltips_and_free_stretches(client, fleet):
    html = client.get(reverse("cluster_port_map", args=["prod"])).content.decode()
    assert 'role="img"' in html and "<desc" in html
    # 100 ports: one port per cell; 10000 collides, 10001 is /web2's, the rest free.
    assert 'class="cell colliding"' in html
    assert re.search(r"<title>10000: 1 of 1 held by 2 apps \(/admin … /search\); 1 colliding", html)
    assert "<title>10001: 1 of 1 held by /web</title>" in html
    assert "<li>10003–10099</li>" in html
    assert "97 of 100 service ports free" in html
    # The host band over the agent range shows the shared fixed host port.
    assert re.search(r"<title>31005[^<]*colliding</title>", html)
    assert "Next free service ports: <code>10003</code>" in html


def test_port_map_buckets_a_large_range(client):
    big = Cluster.objects.create(name="big")
    save_app(big, {"id": "/a", "cmd": "run", "ports": [10000, 10005, 19999]})
    html = client.get(reverse("cluster_port_map", args=["big"])).content.decode()
    assert "Each cell is 10 ports" in html
    assert "<title>10000–10009: 2 of 10 held by /a</title>" in html
    assert html.count('class="cell ') == 1001 + 1001  # service grid + host band, one port a cell


def test_port_map_query_count_is_flat(client, cluster, django_assert_num_queries):
    url = reverse("cluster_port_map", args=["prod"])
    for n in (2, 20):
        for i in range(App.objects.count(), n):
            save_app(cluster, {"id": f"/s{i:02d}", "cmd": "run", "ports": [0]})
        with django_assert_num_queries(9):
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


def test_settings_save_rechecks_fleet_and_reports_what_broke(client, cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [0, 0]})
    save_app(cluster, {"id": "/b", "cmd": "run", "ports": [0]})
    save_app(cluster, {"id": "/c", "cmd": "run", "ports": [10050]})
    response = client.post(
        reverse("cluster_settings", args=["prod"]),
        {**POLICY, "local_port_max": "10001", "reserved_ports": "80, 10050"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("cluster_settings", args=["prod"]), 302)]
    html = response.content.decode()
    assert "re-checked its 3 apps" in html
    assert "Now invalid (1): /b" in html  # the range 10000-10001 is full after /a
    assert "Reserved port 10050 is used as a service port by /c" in html
    assert "service-port-outside-range at /portDefinitions/0/port" in html
    a = App.objects.get(app_id="/a")
    assert list(a.allocations.values_list("service_port", flat=True)) == [10000, 10001]
    assert a.version == 2
    cluster.refresh_from_db()
    assert cluster.reserved_ports == "80,10050"


def test_settings_save_with_nothing_broken_says_so(client, cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [0]})
    response = client.post(
        reverse("cluster_settings", args=["prod"]),
        {**POLICY, "description": "Production"},
        follow=True,
    )
    assert "nothing new broke" in response.content.decode()
    assert Cluster.objects.get(name="prod").description == "Production"


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
