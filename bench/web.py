"""Benchmark of the composer through Django: the live preview's server time against the size of
the fleet, and the editor page's transfer size. See bench/README.md.

Run from the repo root:  .venv/bin/python bench/web.py [--strict] [--quick] [--profile]

It configures Django itself (DEBUG off, a throwaway secret key, a fresh SQLite file in the system
temp directory, static files collected there) and times, with django.test.Client, the htmx preview
request of a 10-port bridge app in a cluster of 1,000 and of 10,000 saved apps, next to a GET of the
home page ``/`` through the same middleware. Targets are reported as PASS/FAIL; the exit code is 0
unless ``--strict`` is given and a target fails.
"""

from __future__ import annotations

import cProfile
import json
import platform
import pstats
import sqlite3
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import islice
from urllib.parse import urlencode

import common
from common import ms

common.setup_django()

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from portplanner.composer.draft import app_from_draft, read_post  # noqa: E402
from portplanner.composer.preview import draft_of, json_pane, preview  # noqa: E402
from portplanner.fleet.deploy import save_app  # noqa: E402
from portplanner.fleet.queries import (  # noqa: E402
    fleet_collisions,
    free_service_ports,
    resolve_in_cluster,
)
from portplanner.history.record import Actor  # noqa: E402
from portplanner.marathon import resolve_app  # noqa: E402
from portplanner.marathon.schema import schema_errors  # noqa: E402
from portplanner.models import Cluster  # noqa: E402

# The trivial view the target compares with: the health check, HttpResponse("ok") through the same
# middleware, i.e. what any request pays for routing and middleware alone.
TRIVIAL_URL = "/healthz"

PREVIEW_TARGET = 3.0  # preview median / floor median (parse + schema), at each fleet size
FLAT_TARGET = 1.1  # preview median at 10,000 apps / preview median at 1,000 apps
TRANSFER_TARGET = 100_000  # bytes on the wire: editor page HTML + its CSS and JS, as served
HOME_URL = "/"
HTMX_HEADERS = {"HX-Request": "true", "HX-Trigger": "composer-form", "HX-Target": "preview"}


@dataclass(frozen=True)
class Scale:
    small_fleet: int
    large_fleet: int
    warmup: int  # turns per phase before the timed ones
    samples: int  # timed turns per phase (each request once per turn), and of the floor line
    stage_rounds: int  # turns of the preview's steps (--profile)
    profile_rounds: int  # preview requests under cProfile (--profile)
    sql_rounds: int  # runs of each SQL query (--profile)


FULL = Scale(1_000, 10_000, 20, 200, stage_rounds=100, profile_rounds=50, sql_rounds=30)
QUICK = Scale(100, 1_000, 2, 10, stage_rounds=3, profile_rounds=2, sql_rounds=2)


# --- the composer's form, as htmx sends it --------------------------------------------------


class FormSerializer(HTMLParser):
    """The successful controls of one form, in document order, as htmx submits them: inside the
    form or pointing at it with ``form=``; no buttons; checked boxes only; less the names its
    ``hx-params="not ..."`` leaves out."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.left_out: set[str] = set()
        self._textarea: tuple[str, list[str]] | None = None
        self._select: tuple[str, list[str], list[str]] | None = None

    def _owned(self, attrs: dict) -> bool:
        return "name" in attrs and (attrs.get("form") == self.form_id or self.inside)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
            params = attrs.get("hx-params", "")
            if params.startswith("not "):
                self.left_out = {name.strip() for name in params[4:].split(",")}
        elif tag == "input" and self._owned(attrs):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append(
                (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "textarea" and self._owned(attrs):
            self._textarea = (attrs["name"], [])
        elif tag == "select" and self._owned(attrs):
            self._select = (attrs["name"], [], [])  # name, all option values, selected ones
        elif tag == "option" and self._select is not None:
            self._select[1].append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select[2].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # HTML drops one newline right after <textarea>; Django's widget writes one.
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options, selected = self._select
            self.fields.append((name, (selected or options or [""])[0]))
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)


def composer_form_body(client: Client, cluster: Cluster, app: dict) -> str:
    """Load ``app`` into the new-app composer as a user pasting it would, then serialize the
    rendered form the way htmx does for the preview (urlencoded)."""
    page = client.post(
        reverse("app_new", args=[cluster.name]), {"action": "load_json", "json": json.dumps(app)}
    )
    assert page.status_code == 200, page.status_code
    parser = FormSerializer("composer-form")
    parser.feed(page.content.decode())
    fields = [(name, value) for name, value in parser.fields if name not in parser.left_out]
    assert ("ports-TOTAL_FORMS", str(len(app["container"]["portMappings"]))) in fields, fields
    return urlencode(fields)


# --- timing ---------------------------------------------------------------------------------


def measure(requests: dict[str, Callable], scale: Scale, floor: Callable) -> dict[str, list[int]]:
    """The requests in turns (``common.turns``), each failing the run unless it answers 200, and
    the floor in the same turns, so that the ratios compare calls timed side by side."""
    checked = {name: common.ok_response(request) for name, request in requests.items()}
    return common.turns({**checked, "floor": floor}, scale.warmup, scale.samples)


def floor_call(form_body: str) -> Callable:
    """What every preview must do whatever its design (the target's denominator): read the form
    htmx posts (QueryDict) and check the app against Marathon's JSON Schema (spec §1)."""
    draft = read_post(QueryDict(form_body)).draft
    assert draft is not None
    raw, _ = app_from_draft(draft)

    def floor():
        QueryDict(form_body)
        schema_errors(raw)

    return floor


def stage_times(
    cluster: Cluster, form_body: str, request: Callable, rounds: int
) -> list[tuple[str, float]]:
    """The whole request and the public steps of the preview view (``read_post``, ``preview``,
    the render), and the fleet and engine calls inside ``preview``, interleaved like the
    requests (``rounds`` turns); medians."""
    policy = cluster.policy
    low, high = policy.local_port_min, policy.local_port_max
    data = QueryDict(form_body)
    posted = read_post(data)
    draft = draft_of(cluster, None, posted)
    raw, _ = app_from_draft(draft)
    result = resolve_in_cluster(cluster, raw)
    shown = preview(cluster, None, draft, posted)
    steps = {
        "the whole preview request (as in the table)": request,
        "parse the urlencoded body (QueryDict)": lambda: QueryDict(form_body),
        "read the form values (read_post)": lambda: read_post(data),
        "preview(): all of what follows": lambda: preview(cluster, None, draft, posted),
        "  app_from_draft (form values to app JSON)": lambda: app_from_draft(draft),
        "  resolve_in_cluster (engine + free-port queries)": lambda: resolve_in_cluster(
            cluster, raw
        ),
        "    engine alone (resolve_app, free ports from memory)": lambda: resolve_app(
            raw, policy, free_ports=iter(range(low, high + 1))
        ),
        "    10 free service ports (free_service_ports: SQL)": lambda: list(
            islice(free_service_ports(cluster, low, high), 10)
        ),
        "  fleet_collisions (SQL + find_collisions)": lambda: fleet_collisions(
            cluster, result, None
        ),
        "  json_pane (the JSON pane: the app as JSON, digests)": lambda: json_pane(raw, posted),
        "render _preview.html (render_to_string, out-of-band parts too)": lambda: render_to_string(
            "composer/_preview.html", {"preview": shown, "oob": True}
        ),
    }
    return list(interleaved(steps, rounds).items())


def interleaved(steps: dict[str, Callable], rounds: int) -> dict[str, float]:
    """Median time of each call, the calls made in turns as ``measure`` makes requests."""
    times = common.turns(steps, min(5, rounds), rounds)
    return {name: statistics.median(samples) for name, samples in times.items()}


def floor_times(client: Client, form_body: str, rounds: int) -> dict[str, float]:
    """The floor's two steps apart, timed beside the trivial view."""
    draft = read_post(QueryDict(form_body)).draft
    assert draft is not None
    raw, _ = app_from_draft(draft)
    return interleaved(
        {
            "trivial": lambda: client.get(TRIVIAL_URL),
            "parse": lambda: QueryDict(form_body),
            "schema": lambda: schema_errors(raw),
        },
        rounds,
    )


def sql_times(queries: list[dict], rounds: int) -> list[tuple[float, str, str]]:
    """Each query run again with its rows fetched (the wrapper's own time stops before the fetch,
    where SQLite does most of the work), with SQLite's plan."""
    rows = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]

            def run(sql=sql):
                cursor.execute(sql)
                cursor.fetchall()

            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = "; ".join(row[-1] for row in cursor.fetchall())
            rows.append((common.median_ns(run, rounds), sql, plan))
    return rows


# --- transfer size --------------------------------------------------------------------------


class AssetFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "link" and "stylesheet" in attrs.get("rel", "").split() and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def body(response) -> bytes:
    if response.streaming:
        data = b"".join(response.streaming_content)
        response.close()
        return data
    return response.content


def transfer(client: Client, url: str) -> list[tuple[str, int, int, str]]:
    """(url, bytes served plain, bytes served to a client accepting gzip, encoding) for the page
    and each stylesheet and script it references."""
    page = client.get(url)
    html = body(page)
    finder = AssetFinder()
    finder.feed(html.decode())
    zipped_page = client.get(url, headers={"Accept-Encoding": "gzip"})
    rows = [(url, len(html), len(body(zipped_page)), zipped_page.get("Content-Encoding", "none"))]
    for asset in finder.urls:
        plain = client.get(asset)
        plain_bytes = body(plain)
        zipped = client.get(asset, headers={"Accept-Encoding": "gzip"})
        zipped_bytes = body(zipped)
        assert plain.status_code == zipped.status_code == 200, asset
        rows.append(
            (asset, len(plain_bytes), len(zipped_bytes), zipped.get("Content-Encoding", "none"))
        )
    return rows


# --- report ---------------------------------------------------------------------------------


def print_profile(label: str, profile: dict, scale: Scale) -> None:
    print(f"\n== Where the preview's time goes: {label} ==")
    print(
        f"The request and the steps of its view, called in turns ({scale.stage_rounds} each; "
        "medians, and share of the request):"
    )
    request = profile["stages"][0][1]
    for step, ns in profile["stages"]:
        print(f"  {ms(ns)}  {ns / request:4.0%}  {step}")
    print(
        "SQL of one preview request, run again with its rows fetched (median of "
        f"{scale.sql_rounds}):"
    )
    for ns, sql, plan in profile["sql"]:
        print(f"  {ms(ns)}  {sql[:120]}...")
        print(f"{'':>13}plan: {plan}")
    print(
        f"cProfile of {scale.profile_rounds} preview requests (its overhead inflates every figure):"
    )
    stats = pstats.Stats(profile["cprofile"], stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(r"portplanner|forms|template|sqlite", 25)


def print_row(apps: str, name: str, samples: list[int], queries: int, note: str = "") -> float:
    median = statistics.median(samples)
    print(f"{apps:>15}  {name:<13} {ms(median)} {ms(common.p95(samples))}  {queries:>3}  {note}")
    return median


def main() -> int:
    parser = common.arguments(__doc__)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the table: where the preview's time goes (steps, SQL, cProfile)",
    )
    parser.add_argument(
        "--gap-chance",
        type=float,
        default=common.GAP_CHANCE,
        help=f"per held service port, the chance of a gap after it (default {common.GAP_CHANCE}; "
        "0: a dense block, as a fleet imported in one go has)",
    )
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    small_name = f"preview {common.short(scale.small_fleet)}"
    large_name = f"preview {common.short(scale.large_fleet)}"
    small_apps, both_apps = f"{scale.small_fleet:,}", f"{scale.small_fleet + scale.large_fleet:,}"

    started = common.clock()
    common.migrate(static=True)
    small = Cluster.objects.create(name="small")
    large = Cluster.objects.create(name="large")
    client = common.signed_in_client()
    form_body = composer_form_body(client, small, common.preview_app())

    def preview_in(cluster: Cluster) -> Callable:
        url = reverse("app_preview_new", args=[cluster.name])

        def post():
            return client.post(
                url,
                form_body,
                content_type="application/x-www-form-urlencoded",
                headers=HTMX_HEADERS,
            )

        return post

    preview_small, preview_large = preview_in(small), preview_in(large)
    floor = floor_call(form_body)
    baselines = {"trivial": lambda: client.get(TRIVIAL_URL), "home": lambda: client.get(HOME_URL)}

    def check(request: Callable) -> int:
        text = request().content.decode()
        assert text.startswith('<section id="preview"') and "/bench/shop" in text, text[:200]
        assert "findings collisions" not in text and "badge ok" in text, "preview not clean"
        return len(text.encode())

    # Phase 1: the database holds the small cluster only. Each fleet is generated just before it
    # is loaded and dropped after: a web server process does not hold the fleet in memory, and
    # every full collection during the timing would walk it.
    common.load_fleet(small, common.generate_fleet(scale.small_fleet, args.gap_chance))
    check(preview_small)
    phase1_requests = {**baselines, small_name: preview_small}
    phase1 = measure(phase1_requests, scale, floor)
    phase1_queries = {name: len(common.queries_of(r)) for name, r in phase1_requests.items()}
    # Phase 2: the large cluster joins it; previews in both clusters are timed side by side.
    common.load_fleet(large, common.generate_fleet(scale.large_fleet, args.gap_chance))
    preview_bytes = check(preview_large)
    phase2_requests = {**baselines, small_name: preview_small, large_name: preview_large}
    phase2 = measure(phase2_requests, scale, floor)
    phase2_queries = {name: len(common.queries_of(r)) for name, r in phase2_requests.items()}
    floor_parts = floor_times(client, form_body, scale.samples)

    profiles = {}
    if args.profile:
        for size, cluster, request in (
            (scale.small_fleet, small, preview_small),
            (scale.large_fleet, large, preview_large),
        ):
            cprofile = cProfile.Profile()
            for _ in range(scale.profile_rounds):
                cprofile.runcall(request)
            profiles[f"{size:,}-app cluster"] = {
                "stages": stage_times(cluster, form_body, request, scale.stage_rounds),
                "sql": sql_times(common.queries_of(request), scale.sql_rounds),
                "cprofile": cprofile,
            }
    # The editor as it opens for a new app, and on the saved 10-port app (in a cluster of its own,
    # so that the fleets stay as described).
    editor = Cluster.objects.create(name="editor")
    saved, _ = save_app(editor, common.preview_app(), by=Actor(None, "bench"))
    editors = [
        reverse("app_new", args=[editor.name]),
        reverse("app_edit", args=[editor.name, saved.pk]),
    ]
    transfers = [(url, transfer(client, url)) for url in editors]
    took = (common.clock() - started) / 1e9

    verdicts = common.Verdicts(args.quick)
    print(
        f"Port Planner web benchmark: Django {django.get_version()}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version} (a fresh file), "
        f"DEBUG={settings.DEBUG}"
    )
    if args.quick:
        print(common.QUICK_BANNER)
    print(
        "Server time: a django.test.Client round trip in process (no network, no server) through "
        f"all {len(settings.MIDDLEWARE)} middleware.\n{scale.samples} samples of each request "
        f"per phase after {scale.warmup} warm-ups, the requests of a phase interleaved; p95 is "
        "nearest-rank."
    )
    print(f"  trivial      GET {TRIVIAL_URL}: the health check, HttpResponse('ok'), no query")
    print(f"  home         GET {HOME_URL}: the home page, a template and one query (context only)")
    print(
        "  preview Nk   POST /clusters/<cluster>/apps/new/preview/ in the cluster of N,000 apps:\n"
        "               the composer form of a 10-port bridge app, urlencoded as htmx sends it, "
        "HX-Request\n"
    )
    print(
        f"{'apps in the db':>15}  {'request':<13} {'median':>10} {'p95':>10}  SQL  ratio of medians"
    )
    print("-" * 100)
    med1 = {
        name: print_row(small_apps, name, phase1[name], phase1_queries[name]) for name in baselines
    }
    floor1 = print_row(small_apps, "floor", phase1["floor"], 0, "parse + schema, no request")
    ratio1 = statistics.median(phase1[small_name]) / floor1
    print_row(
        small_apps,
        small_name,
        phase1[small_name],
        phase1_queries[small_name],
        f"preview/floor {ratio1:5.2f} (<= {PREVIEW_TARGET})  "
        + verdicts.judge(ratio1 <= PREVIEW_TARGET),
    )
    med2 = {
        name: print_row(both_apps, name, phase2[name], phase2_queries[name]) for name in baselines
    }
    floor2 = print_row(both_apps, "floor", phase2["floor"], 0, "parse + schema, no request")
    small_median = print_row(both_apps, small_name, phase2[small_name], phase2_queries[small_name])
    large_median = statistics.median(phase2[large_name])
    ratio2 = large_median / floor2
    print_row(
        both_apps,
        large_name,
        phase2[large_name],
        phase2_queries[large_name],
        f"preview/floor {ratio2:5.2f} (<= {PREVIEW_TARGET})  "
        + verdicts.judge(ratio2 <= PREVIEW_TARGET),
    )
    flat = large_median / small_median
    flat_name = f"{large_name}/{common.short(scale.small_fleet)}"
    print(
        f"{'':>15}  {'':<13} {'':>10} {'':>10}       {flat_name:<15} {flat:5.2f} "
        f"(<= {FLAT_TARGET})  {verdicts.judge(flat <= FLAT_TARGET)}"
    )
    parts = floor_parts
    print(
        "The floor is what any preview must do, timed in the same turns as the requests: parsing "
        "the posted form\n(QueryDict) and JSON Schema validation of the app. Apart, beside the "
        f"trivial view ({ms(parts['trivial']).strip()}): parse {ms(parts['parse']).strip()}, "
        f"schema {ms(parts['schema']).strip()}. The request itself adds what the trivial view "
        "costs\n(routing, the middleware, the session and its user): "
        f"trivial/floor {med2['trivial'] / floor2:.2f}; preview/trivial "
        f"{statistics.median(phase1[small_name]) / med1['trivial']:.1f} and "
        f"{large_median / med2['trivial']:.1f}, for context."
    )
    print(
        f"Phase 1 holds the {small_apps}-app cluster only; phase 2 adds the "
        f"{scale.large_fleet:,}-app cluster, and its {flat_name}\ncompares the two clusters' "
        "previews timed side by side. Context, not targets: preview/home "
        f"{statistics.median(phase1[small_name]) / med1['home']:.1f} and "
        f"{large_median / med2['home']:.1f}; GET / grew {med2['home'] / med1['home']:.1f}x "
        "with the database (it counts every app)."
    )
    print(f"Fleets (gap chance {args.gap_chance}):")
    print(f"fleet of {small_apps}:  {common.describe_fleet(small)}")
    print(f"fleet of {scale.large_fleet:,}: {common.describe_fleet(large)}")
    print(f"preview response: {preview_bytes:,} bytes of HTML fragment")

    for editor_url, assets in transfers:
        print(f"\nEditor page transfer: GET {editor_url} and the stylesheets and scripts it loads")
        print(f"{'url':<52} {'plain':>9} {'gzip':>9}  served as")
        print("-" * 84)
        for url, plain, zipped, encoding in assets:
            print(f"{url:<52} {plain:>9,} {zipped:>9,}  {encoding}")
        plain_total = sum(row[1] for row in assets)
        gzip_total = sum(row[2] for row in assets)
        transfer_ok = gzip_total <= TRANSFER_TARGET
        print(
            f"{'total':<52} {plain_total:>9,} {gzip_total:>9,}  transfer <= {TRANSFER_TARGET:,} "
            f"bytes: {verdicts.judge(transfer_ok)}"
        )
    print(
        "transfer: the gzip column, what a browser sending Accept-Encoding: gzip receives "
        "(Django's GZipMiddleware\ncompresses the HTML, WhiteNoise serves the static files' .gz). "
        "Response headers are not counted."
    )
    print(f"\nTook {took:.0f} s (migrate, collectstatic, fleets, timing).")

    for label, profile in profiles.items():
        print_profile(label, profile, scale)

    return verdicts.exit_code(args.strict)


if __name__ == "__main__":
    sys.exit(main())
