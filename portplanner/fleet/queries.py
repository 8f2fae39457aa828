"""Read-only questions about a cluster's fleet, answered by set-based queries on the indexed
PortAllocation table: which ports collide, who holds a port, how full the service-port range is.

Only answers come back to Python (colliding rows, one row per bucket, one row per free stretch);
the fleet itself is never loaded, so the pages built on these stay fast at 10,000 apps."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from portplanner.marathon import AppResult, Collision, Holding, find_collisions, resolve_app
from portplanner.marathon.collisions import (
    HOST_PORT,
    LB_PORT,
    SERVICE_PORT,
    VIP,
    by_label,
    lb_holdings,
    port_holdings,
    vip_key,
)
from portplanner.marathon.lb import group_name
from portplanner.models import App, Cluster, LbBind, PortAllocation, VipLabel

# --- resolving against the fleet, free service ports, collisions ------------------------------


def free_stretches(cluster: Cluster, low: int, high: int) -> Iterator[tuple[int, int]]:
    """The runs of free service ports in ``[low, high]`` as (first, last), ascending: the gaps
    between held ports, read through the (cluster, service_port) index a few at a time, so the
    fleet's ports are never loaded whole and a caller that wants a handful of free ports (the
    preview, on every keystroke) reads a handful of gaps. The port map reads them all."""
    params = {"cluster": cluster.pk, "low": low, "high": high}
    with connection.cursor() as cursor:
        cursor.execute(_FIRST_HELD_SQL, params)
        (first,) = cursor.fetchone()
    if first is None:
        yield (low, high)
        return
    if first > low:
        yield (low, first - 1)
    after = first - 1
    # Few gaps first (each costs a walk over the held ports before it), more each time the
    # caller wants more (a bulk import, the map).
    size = _FIRST_GAP_BATCH
    while True:
        with connection.cursor() as cursor:
            cursor.execute(_GAPS_SQL, {**params, "after": after, "limit": size})
            batch = cursor.fetchall()
        for held, gap_end in batch:
            if held < high:
                yield (held + 1, high if gap_end is None else gap_end - 1)
        if len(batch) < size:
            return
        after = batch[-1][0]
        size = min(size * 2, _MAX_GAP_BATCH)


def free_service_ports(
    cluster: Cluster, low: int, high: int, exclude: Iterable[int] = ()
) -> Iterator[int]:
    """Free service ports in ``[low, high]``, ascending (see ``free_stretches``). ``exclude``:
    ports to treat as held as well (those of the app being edited)."""
    excluded = set(exclude)
    for first, last in free_stretches(cluster, low, high):
        yield from (p for p in range(first, last + 1) if p not in excluded)


def free_required_ports(
    cluster: Cluster, exclude: Iterable[int] = (), other_than: App | None = None
) -> Iterator[int]:
    """Ports an app with requirePorts can take, ascending: its port is its service port and its
    host port too (spec §5), so free service ports of the service-port range that lie in the
    agents' port ranges and that no other app holds as a fixed host port. None at all when the
    two ranges do not meet (Marathon's defaults: 10000-20000 and 31000-32000)."""
    policy = cluster.policy
    for agent_low, agent_high in sorted(policy.agent_port_ranges):
        low, high = max(policy.local_port_min, agent_low), min(policy.local_port_max, agent_high)
        if low > high:
            continue
        candidates = free_service_ports(cluster, low, high, exclude)
        while batch := list(islice(candidates, 32)):
            held = _held_host_ports(cluster, batch, other_than)
            yield from (port for port in batch if port not in held)


def _held_host_ports(cluster: Cluster, ports: list[int], other_than: App | None) -> set[int]:
    sql = (
        f"SELECT DISTINCT host_port FROM {_TABLE} WHERE cluster_id = %s AND app_id <> %s "
        f"AND host_port IN ({', '.join(['%s'] * len(ports))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [cluster.pk, other_than.pk if other_than else -1, *ports])
        return {port for (port,) in cursor.fetchall()}


# Raw SQL, not the ORM: the preview asks on every keystroke, and compiling the equivalent
# queryset cost more than running it. Both run on SQLite and PostgreSQL.
_TABLE = PortAllocation._meta.db_table
_FIRST_HELD_SQL = f"""
    SELECT MIN(service_port) FROM {_TABLE}
    WHERE cluster_id = %(cluster)s AND service_port >= %(low)s AND service_port <= %(high)s
"""
# A gap starts right after a held port whose successor is free; it ends at the next held port.
_GAPS_SQL = f"""
    SELECT a.service_port, (
        SELECT MIN(b.service_port) FROM {_TABLE} b
        WHERE b.cluster_id = %(cluster)s AND b.service_port > a.service_port
          AND b.service_port <= %(high)s
    ) AS gap_end
    FROM {_TABLE} a
    WHERE a.cluster_id = %(cluster)s AND a.service_port > %(after)s AND a.service_port <= %(high)s
      AND NOT EXISTS (
        SELECT 1 FROM {_TABLE} c
        WHERE c.cluster_id = %(cluster)s AND c.service_port = a.service_port + 1
      )
    GROUP BY a.service_port
    ORDER BY a.service_port
    LIMIT %(limit)s
"""
_FIRST_GAP_BATCH, _MAX_GAP_BATCH = 4, 256


def fleet_collisions(cluster: Cluster, result: AppResult, app: App | None) -> list[Collision]:
    """Collisions of ``result`` (an app being composed) with the cluster's saved apps, found by
    indexed queries on the ports and VIPs this app holds."""
    mine = result.holdings()
    ports = {
        "service_port": sorted({h.port for h in mine if h.kind == SERVICE_PORT}),
        "host_port": sorted({h.port for h in mine if h.kind == HOST_PORT}),
    }
    # A VIP with a NUL is held by no stored app (storage_problem refuses it), and PostgreSQL
    # would refuse it as a query parameter.
    vips = sorted({vip_key(h.value) for h in mine if h.kind == VIP and "\x00" not in h.value})
    theirs = _holdings(
        _holders(cluster, app, _PORT_HOLDERS_SQL, ports, 'x."index"'),
        _holders(cluster, app, _VIP_HOLDERS_SQL, {"vip_key": vips}, "x.path"),
        _lb_holders(cluster, app, [h for h in mine if h.kind == LB_PORT]),
    )
    # Only the collisions this app is part of (the fleet's own are the report's business).
    return [
        c
        for c in find_collisions([*mine, *theirs], cluster.policy.reserved_ports)
        if result.id in c.app_ids
    ]


def collisions_by_app(
    cluster: Cluster, saved: list[tuple[App, AppResult]]
) -> dict[str, list[Collision]]:
    """The collisions each of these just-saved apps takes part in, by app id: through the indexes,
    app by app, for a few; set-based over the cluster (cluster_collisions) for many."""
    if len(saved) <= 20:
        return {app.app_id: fleet_collisions(cluster, result, app) for app, result in saved}
    wanted = {app.app_id for app, _ in saved}
    found: dict[str, list[Collision]] = {}
    for collision in cluster_collisions(cluster):
        for app_id in collision.app_ids & wanted:
            found.setdefault(app_id, []).append(collision)
    return found


def _holders(
    cluster: Cluster, app: App | None, select: str, values: dict[str, list], order: str
) -> list[tuple]:
    """Rows of ``select`` (table ``x``) whose columns hold one of ``values``, other apps only.
    Raw SQL for the reason given at _GAPS_SQL: the preview asks on every keystroke."""
    held = [(column, wanted) for column, wanted in values.items() if wanted]
    if not held:
        return []
    where = " OR ".join(f"x.{column} IN ({', '.join(['%s'] * len(v))})" for column, v in held)
    params = [cluster.pk, *(v for _, wanted in held for v in wanted)]
    if app is not None:
        where = f"({where}) AND x.app_id <> %s"
        params.append(app.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"{select} AND ({where}) ORDER BY a.app_id, {order}", params)
        return cursor.fetchall()


def _lb_holders(cluster: Cluster, app: App | None, binds: list[Holding]) -> list[tuple]:
    """Other apps' marathon-lb binds in the groups and on the ports of ``binds`` (this app's):
    any bind where this app's comes from a HAPROXY_<n>_PORT label, only labelled ones where it
    is this app's service port (two service ports alike are the service-port kind)."""
    by_group: dict[str, tuple[set[int], set[int]]] = {}
    for h in binds:
        labelled, service = by_group.setdefault(h.group or "", (set(), set()))
        (labelled if by_label(h.path) else service).add(h.port or 0)
    clauses, params = [], [cluster.pk]
    for group, (labelled, service) in by_group.items():
        service -= labelled
        ports = []
        if labelled:
            ports.append(f"x.port IN ({', '.join(['%s'] * len(labelled))})")
        if service:
            ports.append(f"(x.by_label AND x.port IN ({', '.join(['%s'] * len(service))}))")
        clauses.append(f"(x.lb_group = %s AND ({' OR '.join(ports)}))")
        params += [group, *sorted(labelled), *sorted(service)]
    if not clauses:
        return []
    where = " OR ".join(clauses)
    if app is not None:
        where = f"({where}) AND x.app_id <> %s"
        params.append(app.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"{_LB_HOLDERS_SQL} AND ({where}) ORDER BY a.app_id, x.path", params)
        return cursor.fetchall()


_APPS = App._meta.db_table
_LB_HOLDERS_SQL = f"""
    SELECT a.app_id, x.path, x.port, x.lb_group
    FROM {LbBind._meta.db_table} x JOIN {_APPS} a ON a.id = x.app_id WHERE x.cluster_id = %s"""
_PORT_HOLDERS_SQL = f"""
    SELECT a.app_id, x.path, x.service_port, x.host_port, x.container_port
    FROM {_TABLE} x JOIN {_APPS} a ON a.id = x.app_id WHERE x.cluster_id = %s"""
_VIP_HOLDERS_SQL = f"""
    SELECT a.app_id, x.path, x.vip
    FROM {VipLabel._meta.db_table} x JOIN {_APPS} a ON a.id = x.app_id WHERE x.cluster_id = %s"""


def resolve_in_cluster(cluster: Cluster, raw: Any, app: App | None = None) -> AppResult:
    """Resolve ``raw`` as Marathon would deploy it into ``cluster`` now. When it updates ``app``,
    the app's saved service ports are reused first (AssignDynamicServiceLogic's update rule)."""
    policy = cluster.policy
    return resolve_app(
        raw,
        policy,
        previous=_service_ports(app) if app is not None else (),
        free_ports=free_service_ports(cluster, policy.local_port_min, policy.local_port_max),
    )


def app_holding_id(cluster: Cluster, app_id: str | None, other_than: App | None) -> int | None:
    """The pk of the app of ``cluster`` (other than ``other_than``) whose id is ``app_id``: the
    one a save under that id would be refused for (fleet.deploy.IdTaken). Raw SQL for the reason
    given at _GAPS_SQL: the preview asks on every keystroke."""
    if app_id is None or "\x00" in app_id:
        # No stored id has a NUL (storage_problem refuses it); PostgreSQL refuses to compare one.
        return None
    sql = f"SELECT id FROM {_APPS} WHERE cluster_id = %s AND app_id = %s AND id <> %s LIMIT 1"
    with connection.cursor() as cursor:
        cursor.execute(sql, [cluster.pk, app_id, other_than.pk if other_than else -1])
        row = cursor.fetchone()
    return row[0] if row else None


def shared_values(cluster: Cluster, column: str):
    """The values of ``column`` (service_port or host_port of a port, vip_key of a VIP label)
    held by more than one app of the cluster, as a subquery: GROUP BY ... HAVING COUNT(DISTINCT
    app) > 1."""
    if column == "vip_key":
        held = VipLabel.objects.filter(cluster=cluster)
    else:
        held = PortAllocation.objects.filter(cluster=cluster, **{column + "__gt": 0})
    return (
        held.values(column)
        .annotate(holders=Count("app", distinct=True))
        .filter(holders__gt=1)
        .values(column)
    )


def cluster_collisions(cluster: Cluster) -> list[Collision]:
    """Every collision in the cluster, set-based: the database groups the port rows and returns
    only the ports, host ports, VIPs and marathon-lb binds held by more than one app (plus reserved
    service ports and labelled binds on them); then just those rows are fetched, never the whole
    fleet."""
    reserved = sorted(cluster.policy.reserved_ports)
    ports = PortAllocation.objects.filter(cluster=cluster).filter(
        Q(service_port__in=shared_values(cluster, "service_port"))
        | Q(service_port__in=reserved)
        | Q(host_port__in=shared_values(cluster, "host_port"))
    )
    vips = VipLabel.objects.filter(cluster=cluster, vip_key__in=shared_values(cluster, "vip_key"))
    binds = colliding_binds(cluster)
    holdings = _holdings(
        ports.order_by("app__app_id", "index").values_list(
            "app__app_id", "path", "service_port", "host_port", "container_port"
        ),
        vips.order_by("app__app_id", "path").values_list("app__app_id", "path", "vip"),
        binds.order_by("app__app_id", "path", "group").values_list(
            "app__app_id", "path", "port", "group"
        ),
    )
    # The holders fetched may share other ports with apps not fetched; find_collisions on this
    # subset still finds exactly the shared ones, since every holder of a shared port is here.
    return find_collisions(holdings, reserved)


def lb_shared_pairs(cluster: Cluster) -> list[tuple[str, int]]:
    """(group, port) of each marathon-lb bind port two apps or more bind in one group, one of them
    through a HAPROXY_<n>_PORT label: from the few labelled binds (their partial index), each
    (group, port) counted through the (cluster, group, port) index. Only the colliding pairs come
    back."""
    apps_there = (
        LbBind.objects.filter(cluster=cluster, group=OuterRef("group"), port=OuterRef("port"))
        .values("cluster")
        .annotate(apps=Count("app", distinct=True))
        .values("apps")
    )
    return list(
        LbBind.objects.filter(cluster=cluster, by_label=True)
        .annotate(apps=Subquery(apps_there))
        .filter(apps__gt=1)
        .values_list("group", "port")
        .distinct()
        .order_by("group", "port")
    )


def _pairs_q(pairs: list[tuple[str, int]]) -> Q:
    """Rows of LbBind on one of ``pairs`` (group, port): one clause per group. Matches nothing for
    no pairs."""
    by_group: dict[str, list[int]] = {}
    for group, port in pairs:
        by_group.setdefault(group, []).append(port)
    q = Q(pk__in=[])
    for group, ports in by_group.items():
        q |= Q(group=group, port__in=sorted(ports))
    return q


def _holdings(port_rows, vip_rows, lb_rows=()) -> list[Holding]:
    """Stored rows as the engine's collision records, each with the pointer of the field it
    holds: ``servicePort``/``hostPort`` of a mapping, ``port`` of a definition, the VIP label,
    the alternate port's label, the HAPROXY_<n>_PORT label or service port a bind comes from.
    Port rows: (app_id, path, service_port, host_port, container_port); VIP rows: (app_id,
    path, vip); marathon-lb rows: (app_id, path, port, group)."""
    holdings = []
    for app_id, path, service_port, host_port, container_port in port_rows:
        if by_label(path):  # the blue/green alternate port: a service port, held by its label
            holdings.append(Holding(app_id, SERVICE_PORT, service_port, None, path))
            continue
        holdings += port_holdings(
            app_id,
            path,
            mapping=container_port is not None,
            service_port=service_port,
            host_port=host_port,
        )
    holdings.extend(Holding(app_id, VIP, None, vip, path) for app_id, path, vip in vip_rows)
    for app_id, path, port, group in lb_rows:
        holdings += lb_holdings(app_id, port, path, [group])
    return holdings


def _service_ports(app: App) -> list[int]:
    return list(
        app.allocations.filter(service_port__isnull=False, alternate=False)
        .order_by("index")
        .values_list("service_port", flat=True)
    )


# --- which ports collide ----------------------------------------------------------------------


def colliding_service_ports(cluster: Cluster) -> QuerySet:
    """Service ports held by more than one app (a subquery: GROUP BY ... HAVING)."""
    return shared_values(cluster, "service_port")


def colliding_host_ports(cluster: Cluster) -> QuerySet:
    return shared_values(cluster, "host_port")


def colliding_vips(cluster: Cluster) -> QuerySet:
    return shared_values(cluster, "vip_key")


def colliding_binds(cluster: Cluster) -> QuerySet:
    """marathon-lb binds on a (group, port) another app binds too, or bound by a label on a
    reserved port (marathon-lb's own)."""
    reserved = sorted(cluster.policy.reserved_ports)
    return LbBind.objects.filter(cluster=cluster).filter(
        _pairs_q(lb_shared_pairs(cluster)) | Q(by_label=True, port__in=reserved)
    )


def _collision_count(cluster: Cluster):
    """Per app: its collisions, one per kind a port of it takes part in (a port mapping whose
    service port and fixed host port are both shared counts twice), plus one per shared VIP
    label and one per marathon-lb bind in a colliding group and port or on a reserved port by
    its label. VIPs are counted in a subquery, binds apart: a second join would multiply the
    port rows."""
    clauses = [
        Q(allocations__service_port__in=colliding_service_ports(cluster)),
        Q(allocations__host_port__in=colliding_host_ports(cluster)),
        Q(allocations__service_port__in=sorted(cluster.policy.reserved_ports)),
    ]
    total = Count("allocations", filter=clauses[0], distinct=True)
    for clause in clauses[1:]:
        total += Count("allocations", filter=clause, distinct=True)
    shared_vips = (
        VipLabel.objects.filter(app=OuterRef("pk"), vip_key__in=colliding_vips(cluster))
        .values("app")
        .annotate(shared=Count("pk"))
        .values("shared")
    )
    return total + Coalesce(Subquery(shared_vips), 0) + _lb_collision_counts(cluster)


def _lb_collision_counts(cluster: Cluster):
    """Per app, its marathon-lb binds in a colliding (group, port) or on a reserved port by a
    label, as a CASE over the few apps that have any: two small queries here (the colliding
    pairs, then their binds counted per app) rather than a subquery for each of the cluster's
    apps, which doubled the app list's time at 10,000 apps."""
    colliding = colliding_binds(cluster)
    apps_by_count: dict[int, list[int]] = {}
    counts = colliding.values("app").annotate(n=Count("pk")).values_list("app", "n").order_by()
    for pk, count in counts:
        apps_by_count.setdefault(count, []).append(pk)
    if not apps_by_count:
        return Value(0)
    whens = [When(pk__in=pks, then=Value(n)) for n, pks in sorted(apps_by_count.items())]
    return Case(*whens, default=Value(0), output_field=IntegerField())


# --- the app list -------------------------------------------------------------------------------


class JSONArrayLength(Func):
    """Length of a JSON list column (the app's warnings), so the database can sort by it."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


class PortList(Aggregate):
    """The service ports of an app as one comma-separated string, so a page of the app list is one
    query however many ports its apps hold (the order is not guaranteed: sort after splitting)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        # On a copy, not as as_sql() arguments: with a filter, Aggregate.as_sql() passes its
        # own template (FILTER (WHERE ...)) built around this one.
        clone = self.copy()
        clone.function = "STRING_AGG"
        clone.template = "%(function)s(%(expressions)s::text, ',')"
        return clone.as_sql(compiler, connection, **extra)


# Ids in natural order (fleet.ordering): the stored key, then the id for keys that tie.
BY_ID = ["sort_key", "app_id"]
SORTS = {
    "id": BY_ID,
    "port": [F("first_service_port").asc(nulls_last=True), *BY_ID],
    "warnings": ["-warning_count", *BY_ID],
    "collisions": ["-collision_count", *BY_ID],
}


def app_rows(
    cluster: Cluster, *, search: str = "", status: str = "", network: str = "", sort: str = "id"
) -> QuerySet:
    """The cluster's apps, each annotated with its service ports, first service port, warning
    count and collision count (ports of the app that collide), filtered and sorted in SQL.

    ``search``: an id substring, a port number (service port, fixed host port or marathon-lb
    bind port label: "who holds 10004?") or a port range ``low-high``."""
    own = Q(allocations__alternate=False)  # not the blue/green alternate port
    apps = App.objects.filter(cluster=cluster).annotate(
        service_port_list=PortList("allocations__service_port", filter=own),
        first_service_port=Min("allocations__service_port", filter=own),
        collision_count=_collision_count(cluster),
        warning_count=JSONArrayLength("warnings"),
    )
    search = search.strip()
    if ports := parse_port_search(search):
        low, high = ports
        holds = PortAllocation.objects.filter(app=OuterRef("pk")).filter(
            Q(service_port__range=(low, high)) | Q(host_port__range=(low, high))
        )
        # Uncorrelated: the few labelled binds, through their partial index.
        binders = LbBind.objects.filter(cluster=cluster, by_label=True, port__range=(low, high))
        apps = apps.filter(Exists(holds) | Q(pk__in=binders.values("app")))
    elif search:
        apps = apps.filter(app_id__icontains=search)
    if status == "valid":
        apps = apps.filter(is_valid=True)
    elif status == "draft":
        apps = apps.filter(is_valid=False)
    elif status == "collisions":
        apps = apps.filter(collision_count__gt=0)
    if network:
        apps = apps.filter(network_mode=network)
    return apps.order_by(*SORTS.get(sort, SORTS["id"]))


def parse_port_search(text: str) -> tuple[int, int] | None:
    """A search for ports, as (low, high): ``10004``, ``port 10004``, ``who holds 10004?``,
    ``10000-10009`` or ``ports 10000 - 10009``. None for anything else (searched for in ids), a
    number over 65535 included."""
    match = _PORT_SEARCH.fullmatch(text.strip().lower())
    if match is None:
        return None
    low = int(match["low"])
    high = int(match["high"]) if match["high"] else low
    if max(low, high) > MAX_PORT:
        return None
    return (low, high) if low <= high else (high, low)


# ASCII digits only: "²" and friends pass str.isdigit() but not int().
_PORT_SEARCH = re.compile(
    r"(?:who\s+(?:holds|has|uses)\s+)?(?:(?:service\s+|host\s+)?ports?\s+)?"
    r"(?P<low>[0-9]{1,5})(?:\s*-\s*(?P<high>[0-9]{1,5}))?\s*\??"
)
MAX_PORT = 65535


# --- the collision report ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Holder:
    app_pk: int | None
    app_id: str
    path: str  # JSON pointer to the colliding field inside the app


@dataclass(frozen=True, slots=True)
class Report:
    kind: str
    port: int | None
    value: str | None
    holders: list[Holder]
    group: str | None = None  # lb-port: the marathon-lb group

    @property
    def group_name(self) -> str:
        return group_name(self.group) if self.group is not None else ""


def collision_report(cluster: Cluster) -> list[Report]:
    """fleet.cluster_collisions (set-based: only colliding rows are fetched), with each holder's
    primary key for links to its composer: one more query, on the colliding apps only."""
    collisions = cluster_collisions(cluster)
    ids = {app_id for c in collisions for app_id, _ in c.holders}
    pks = dict(cluster.apps.filter(app_id__in=ids).values_list("app_id", "pk")) if ids else {}
    return [
        Report(
            c.kind,
            c.port,
            c.value,
            [Holder(pks.get(app_id), app_id, path) for app_id, path in c.holders],
            c.group,
        )
        for c in collisions
    ]


# --- the port map ------------------------------------------------------------------------------

# Ports per cell: a round number, the smallest that keeps the grid within MAX_CELLS.
CELL_SIZES = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 65536)
MAX_CELLS = 1200


@dataclass(frozen=True, slots=True)
class Cell:
    low: int
    high: int
    held: int = 0  # distinct ports held
    apps: int = 0  # distinct apps holding them
    colliding: int = 0  # distinct ports that collide
    first_app: str = ""
    last_app: str = ""

    @property
    def size(self) -> int:
        return self.high - self.low + 1

    @property
    def state(self) -> str:
        if self.colliding:
            return "colliding"
        if not self.held:
            return "free"
        return "full" if self.held == self.size else "partial"


def cell_size(low: int, high: int) -> int:
    span = high - low + 1
    return next(s for s in CELL_SIZES if math.ceil(span / s) <= MAX_CELLS)


def port_cells(
    cluster: Cluster, column: str, low: int, high: int, size: int | None = None
) -> list[Cell]:
    """``[low, high]`` cut into cells of ``size`` ports, each with how much of it ``column``
    (service_port or host_port) holds and how much collides (service ports: marathon-lb bind
    ports too): GROUP BY queries."""
    size = size or cell_size(low, high)
    bucket = ExpressionWrapper((F(column) - low) / size, output_field=IntegerField())
    in_range = PortAllocation.objects.filter(
        cluster=cluster, **{column + "__gte": low, column + "__lte": high}
    ).annotate(bucket=bucket)
    held = {
        row["bucket"]: row
        for row in in_range.values("bucket").annotate(
            held=Count(column, distinct=True),
            apps=Count("app", distinct=True),
            first_app=Min("app__app_id"),
            last_app=Max("app__app_id"),
        )
    }
    if column == "service_port":
        clash = Q(service_port__in=colliding_service_ports(cluster)) | Q(
            service_port__in=sorted(cluster.policy.reserved_ports)
        )
    else:
        clash = Q(host_port__in=colliding_host_ports(cluster))
    # The colliding ports themselves (few), so that a port colliding in two ways counts once.
    colliding = set(in_range.filter(clash).values_list(column, flat=True).distinct())
    if column == "service_port":
        # A bind port that marathon-lb binds twice in a group collides where it lies, held as a
        # service port or only by a HAPROXY_<n>_PORT label.
        colliding.update(p for _, p in lb_shared_pairs(cluster) if low <= p <= high)
    clashing: dict[int, int] = {}
    for port in colliding:
        clashing[(port - low) // size] = clashing.get((port - low) // size, 0) + 1
    cells = []
    for i in range(math.ceil((high - low + 1) / size)):
        start = low + i * size
        row = held.get(i)
        end = min(start + size - 1, high)
        if row is None:  # no service port held; a bind port label may collide there
            cells.append(Cell(start, end, colliding=clashing.get(i, 0)))
            continue
        cells.append(
            Cell(
                start,
                end,
                held=row["held"],
                apps=row["apps"],
                colliding=clashing.get(i, 0),
                first_app=row["first_app"],
                last_app=row["last_app"],
            )
        )
    return cells


@dataclass(frozen=True, slots=True)
class HeldStretch:
    """Adjacent cells that hold ports, taken together: the port map's table for those who cannot
    point at its cells."""

    low: int
    high: int
    held: int
    colliding: int
    first_app: str
    last_app: str


def held_stretches(cells: list[Cell]) -> list[HeldStretch]:
    stretches: list[HeldStretch] = []
    run: list[Cell] = []
    for cell in [*cells, Cell(0, -1)]:  # a free cell after the last ends the last run
        if cell.held:
            run.append(cell)
            continue
        if run:
            stretches.append(
                HeldStretch(
                    run[0].low,
                    run[-1].high,
                    held=sum(c.held for c in run),
                    colliding=sum(c.colliding for c in run),
                    first_app=min(c.first_app for c in run),
                    last_app=max(c.last_app for c in run),
                )
            )
            run = []
    return stretches


def fixed_host_ports_outside(cluster: Cluster, ranges: tuple[tuple[int, int], ...]) -> int:
    """How many fixed host ports lie outside the agents' port ranges (Mesos cannot offer them)."""
    inside = Q()
    for low, high in ranges:
        inside |= Q(host_port__range=(low, high))
    held = PortAllocation.objects.filter(cluster=cluster, host_port__isnull=False)
    return held.exclude(inside).count() if ranges else held.count()
