"""marathon-lb, the consumer of service ports (spec anchors §3): what it will bind for a resolved
app, read from the app's labels the way marathon-lb reads them. Feeds the ``lb-port`` collision
kind, the marathon-lb lint and the preview's marathon-lb column.

Sources: mesosphere/marathon-lb at 9e669ec (2020-09-25, now d2iq-archive/marathon-lb), cited as
``marathon_lb.py``, ``config.py``, ``zdd.py`` and ``Longhelp.md``:

* Every ``HAPROXY_*`` label is an *app* label. For each index ``n`` of the app's service ports,
  ``get_apps`` makes one service and applies the labels ``'HAPROXY_{0}_' + name`` formatted with
  ``n`` (``config.py`` ``Label.full_name``, ``label_keys``): ``HAPROXY_0_PORT`` is read for port
  0, ``HAPROXY_00_PORT`` and ``HAPROXY_5_PORT`` of a two-port app never are.
* The frontend binds ``<bindAddr>:<servicePort>`` (``config()``); ``HAPROXY_{n}_PORT`` replaces
  the service port with ``int(value)`` (``set_port``). A value ``int()`` refuses raises out of
  ``get_apps``, and ``do_reset`` logs "Unexpected error!" and gives up the whole regeneration.
* Groups: ``HAPROXY_{n}_GROUP`` (``set_group``), else ``HAPROXY_GROUP`` (``get_apps``), each
  split on "," and never stripped. An instance run with ``--group G`` serves a port whose groups
  include ``G``; one run with ``--group '*'`` serves every port, grouped or not (``has_group``).
  A port without any group label is served by ``'*'`` instances only.
* Mode (``config()`` and ``MarathonService.__init__``): ``HAPROXY_{n}_MODE`` lower-cased; else
  ``http`` when the port's health check (``get_health_check``: the first check with a ``port``,
  or with ``portIndex`` n) has protocol ``HTTP``; else ``http`` with a virtual host; else ``tcp``.
* ``HAPROXY_{n}_VHOST`` (``set_hostname``, lower-cased, "," separates several) also routes the
  port from marathon-lb's shared 80/443 frontends by Host header: vhost apps share those binds.
* ``HAPROXY_{n}_ENABLED`` false-ish (``string_to_bool``) leaves the port out (``config()``);
  without ``--strict-mode`` every port is enabled.
* ``HAPROXY_DEPLOYMENT_ALT_PORT`` (``zdd.py``): blue/green deploys move the app's first service
  port to this port and back, binding the original through ``HAPROXY_0_PORT``; "an alternate
  service port is required because Marathon requires service ports to be unique across all
  apps" (README). So it is a service port the app holds, not a bind.

What is not modelled: ``--strict-mode``, ``HAPROXY_{n}_BIND_ADDR`` (two binds on different
addresses could share a port; every bind is taken as ``*``), ``HAPROXY_{n}_PATH`` and the merging
of a deployment group's colours while a blue/green deploy runs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .pointers import pointer

APP_GROUP = "HAPROXY_GROUP"
ALT_PORT = "HAPROXY_DEPLOYMENT_ALT_PORT"
# 'HAPROXY_{0}_'.format(n): n as Python prints an int, so no sign and no leading zero.
PER_PORT = re.compile(r"^HAPROXY_(0|[1-9][0-9]*)_(.+)$", re.DOTALL)
ANY_INDEX = re.compile(r"^HAPROXY_([0-9]+)_(.+)$", re.DOTALL)
GROUP_LABEL = re.compile(r"^/labels/HAPROXY_(?:[0-9]+_)?GROUP$")
MODES = ("tcp", "http")
# The suffixes of HAPROXY_{n}_* labels the composer edits as fields of a port row.
GROUP, VHOST, PORT, MODE, ENABLED = "GROUP", "VHOST", "PORT", "MODE", "ENABLED"
NO_GROUP = ""  # the group of a port without any: only marathon-lbs run with --group '*' serve it


@dataclass(frozen=True, slots=True)
class LbBind:
    """One port as marathon-lb serves it: the port its frontend binds and where that number
    comes from, the groups of marathon-lb instances that bind it, its mode and virtual hosts."""

    index: int
    port: int
    path: str  # pointer of the HAPROXY_{n}_PORT label, or of the port's service port
    groups: tuple[str, ...]  # as marathon-lb compares them; (NO_GROUP,) when none is given
    mode: str
    vhosts: tuple[str, ...] = ()

    @property
    def by_label(self) -> bool:
        """The bind port is set by ``HAPROXY_{n}_PORT``, not taken from the service port."""
        return self.path.startswith("/labels/")

    def describe(self) -> str:
        """What marathon-lb will do, as the preview says it: "binds 10000 in group external
        (http, vhost shop.example.com)"."""
        details = self.mode
        if self.vhosts:
            details += f", vhost{'s' if len(self.vhosts) > 1 else ''} {' '.join(self.vhosts)}"
        source = f" (HAPROXY_{self.index}_PORT)" if self.by_label else ""
        return f"binds {self.port}{source} in {groups_name(self.groups)} ({details})"

    def to_json(self) -> dict:
        return {
            "port": self.port,
            "path": self.path,
            "groups": list(self.groups),
            "mode": self.mode,
            "vhosts": list(self.vhosts),
        }


def group_name(group: str) -> str:
    """A group as the pages name it."""
    if group == NO_GROUP:
        return "no group (only a marathon-lb run with --group '*' binds it)"
    return f"group {_quoted(group)}"


def groups_name(groups: Sequence[str]) -> str:
    if len(groups) == 1:
        return group_name(groups[0])
    return "groups " + ", ".join(_quoted(g) for g in groups)


def _quoted(group: str) -> str:
    # A name with blanks around it (lint: lb-group-whitespace) is shown as written.
    return f'"{group}"' if not group or group != group.strip() else group


def labels_of(app: Mapping) -> dict[str, str]:
    labels = app.get("labels")
    if not isinstance(labels, dict):
        return {}
    return {k: v for k, v in labels.items() if isinstance(k, str) and isinstance(v, str)}


def labels_by_port(labels: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``HAPROXY_<n>_*`` labels by port index as marathon-lb formats it (``"0"``, ``"12"``),
    each by suffix (``{"PORT": "80"}``), in label order: one pass over the labels, however many
    ports read them."""
    by_port: dict[str, dict[str, Any]] = {}
    for key, value in labels.items():
        if isinstance(key, str) and (m := PER_PORT.match(key)):
            by_port.setdefault(m[1], {})[m[2]] = value
    return by_port


def label_path(key: str) -> str:
    return pointer("labels", key)


def is_group_label(path: str) -> bool:
    """Whether ``path`` points at a group label: ``/labels/HAPROXY_GROUP`` or ``_<n>_GROUP``."""
    return GROUP_LABEL.match(path) is not None


def read_int(value: str) -> int | None:
    """``value`` as marathon-lb's and zdd.py's ``int(value)`` read it (blanks around it, a sign,
    leading zeros, ``_`` between digits are fine); None where ``int()`` raises."""
    try:
        return int(value) if len(value) <= 100 else None
    except ValueError:
        return None


def parse_port(value: str) -> int | None:
    """A label's port as ``int(value)`` reads it, when it is a port one can bind; else None."""
    port = read_int(value)
    return port if port is not None and 0 < port <= 65535 else None


def _truthy(value: str) -> bool:
    # config.py string_to_bool
    return value.lower() in ("true", "t", "yes", "y")


def groups_of(labels: Mapping[str, str], index: int) -> tuple[str, ...]:
    value = labels.get(f"HAPROXY_{index}_{GROUP}", labels.get(APP_GROUP))
    if value is None:
        return (NO_GROUP,)
    # An empty name ("a,,b", or a label of "") matches no --group but '*', as no group does.
    return tuple(dict.fromkeys(value.split(",")))


def _http_health_check(app: Mapping, index: int) -> bool:
    checks = app.get("healthChecks")
    for check in checks if isinstance(checks, list) else ():
        if not isinstance(check, dict):
            continue
        if check.get("port") or check.get("portIndex") == index:
            return check.get("protocol") == "HTTP"
    return False


def lb_bind(
    app: Mapping,
    index: int,
    service_port: int,
    service_port_path: str,
    labels: Mapping[str, str] | None = None,
    by_port: Mapping[str, Mapping[str, str]] | None = None,
) -> LbBind | None:
    """How marathon-lb serves port ``index`` of ``app``, whose service port (resolved) is
    ``service_port`` at ``service_port_path``. None when it serves it nowhere: no service port,
    disabled, or a bind port label it cannot read (see ``lint_lb``). A caller asking for every
    port passes ``labels_of(app)`` and its ``labels_by_port`` once."""
    labels = labels_of(app) if labels is None else labels
    by_port = labels_by_port(labels) if by_port is None else by_port
    mine = by_port.get(str(index), {})
    if not service_port or (ENABLED in mine and not _truthy(mine[ENABLED])):
        return None
    port, path = service_port, service_port_path
    if PORT in mine:
        label_port = parse_port(mine[PORT])
        if label_port is None:
            return None
        port, path = label_port, label_path(f"HAPROXY_{index}_{PORT}")
    vhosts = tuple(h.strip() for h in mine.get(VHOST, "").lower().split(",") if h.strip())
    if MODE in mine:
        mode = mine[MODE].lower()
    elif _http_health_check(app, index) or vhosts:
        mode = "http"
    else:
        mode = "tcp"
    return LbBind(index, port, path, groups_of(labels, index), mode, vhosts)


def alt_port(app: Mapping) -> int | None:
    """The blue/green alternate service port (``HAPROXY_DEPLOYMENT_ALT_PORT``), if usable."""
    value = labels_of(app).get(ALT_PORT)
    return parse_port(value) if value is not None else None


def per_port_labels(labels: Iterable[str]) -> list[tuple[str, int | None]]:
    """Each ``HAPROXY_<digits>_*`` label with the port index marathon-lb reads it for (None for
    an index it never formats, such as ``00``)."""
    out = []
    for key in labels:
        if m := ANY_INDEX.match(key):
            out.append((key, int(m[1]) if PER_PORT.match(key) else None))
    return out
