"""Between the composer's form values and Marathon app JSON, both ways, losing nothing.

A ``Draft`` is what the page is editing, as plain strings the way the user typed them. The app
the draft stands for is built over ``base``, the canonical app that was loaded: every field the
form does not model (health checks, volumes, constraints, a port's unknown keys...) is carried
over as it was.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import BadRequest

from portplanner.composer.forms import (
    AppForm,
    EnvForm,
    HealthCheckForm,
    PortForm,
    ReadinessCheckForm,
)
from portplanner.http import number, typed
from portplanner.marathon import ReadError, lb, parse_json
from portplanner.marathon.model import BRIDGE, CONTAINER, HOST, network_mode, port_entries
from portplanner.marathon.pointers import split

APP_FIELDS = [
    "app_id",
    "cmd",
    "args",
    "container_type",
    "image",
    "network_mode",
    "network_names",
    "require_ports",
    "lb_group",
    "lb_alt_port",
    "instances",
    "cpus",
    "mem",
    "constraints",
    "base",
    "version",
]
PORT_FIELDS = [
    "name",
    "protocol",
    "container_port",
    "host_port_mode",
    "host_port",
    "service_port",
    "vip",
    "labels",
    "network_names",
    "lb_group",
    "lb_vhost",
    "lb_port",
    "lb_mode",
    "lb_extra",
    "vip_label",
    "extra",
]
ENV_FIELDS = ["name", "value"]
HEALTH_FIELDS = ["protocol", "port_index", "port", "extra"]
READINESS_FIELDS = ["port_name", "extra"]
# A check's keys the form edits, by field; anything else rides along in the row's `extra`.
HEALTH_KEYS = {"protocol": "protocol", "port_index": "portIndex", "port": "port"}
READINESS_KEYS = {"port_name": "portName"}
# App fields of one number each: (field, key, whole numbers only).
AMOUNTS = [("instances", "instances", True), ("cpus", "cpus", False), ("mem", "mem", False)]
# Keys of a port definition / mapping the form edits; anything else rides along in `extra`.
MODELED_PORT_KEYS = {
    "port",
    "containerPort",
    "hostPort",
    "servicePort",
    "protocol",
    "name",
    "labels",
    "networkNames",
}
MODELED_APP_KEYS = {"id", "cmd", "args", "env", "networks", "portDefinitions", "requirePorts"}
# marathon-lb's labels the form edits: app labels, though most are per port (marathon/lb.py).
LB_APP_FIELDS = {"lb_group": lb.APP_GROUP, "lb_alt_port": lb.ALT_PORT}
LB_PORT_FIELDS = {
    "lb_group": lb.GROUP,
    "lb_vhost": lb.VHOST,
    "lb_port": lb.PORT,
    "lb_mode": lb.MODE,
}

NEW_APP: dict = {"id": "/my-app", "cmd": "./run --port $PORT0", "networks": [{"mode": HOST}]}


@dataclass
class Draft:
    app: dict[str, Any]
    ports: list[dict[str, str]] = field(default_factory=list)
    env: list[dict[str, str]] = field(default_factory=list)
    health: list[dict[str, str]] = field(default_factory=list)  # healthChecks
    readiness: list[dict[str, str]] = field(default_factory=list)  # readinessChecks

    @property
    def base(self) -> dict:
        """The loaded app's fields the form does not model. The page wrote them; a post that
        brings something else (not JSON, too deep, the wrong shapes) brings nothing."""
        base = _json_object(self.app.get("base", ""))
        container = base.get("container", {})
        shapes = (
            (container, dict),
            (container.get("docker", {}) if isinstance(container, dict) else None, dict),
            (base.get("env", {}), dict),
            (base.get("networks", []), list),
        )
        if not all(isinstance(value, kind) for value, kind in shapes):
            return {}
        if not all(isinstance(n, dict) for n in base.get("networks", [])):
            return {}
        return base

    @property
    def mode(self) -> str:
        mode = self.app.get("network_mode")
        return mode if mode in (HOST, BRIDGE, CONTAINER) else HOST

    def kept_fields(self) -> list[str]:
        """Fields of the loaded app that the form does not show but keeps and exports."""
        base = self.base
        kept = [k for k in base if k not in MODELED_APP_KEYS and k != "container"]
        if base.get("labels") == {}:  # every label it had is a field now
            kept.remove("labels")
        container = base.get("container") or {}
        kept += [f"container.{k}" for k in container if k not in ("type", "docker", "portMappings")]
        kept += [f"container.docker.{k}" for k in container.get("docker") or {} if k != "image"]
        env = base.get("env") or {}
        kept += [f"env.{k} (secret)" for k, v in env.items() if not isinstance(v, str)]
        return kept


def draft_from_app(app: dict, version: int | str = "") -> Draft:
    """A draft for a canonical app (the engine's ``prepare(...).app``, service ports as written)."""
    mode = network_mode(app.get("networks") or [])
    container = app.get("container") or {}
    docker = container.get("docker") or {}
    list_path, entries = port_entries(app)
    if mode != HOST:
        entries = container.get("portMappings") or []
    env = app.get("env") or {}
    labels, lb_app, lb_ports = _lb_fields(app, len(entries))
    base = _base(app)
    if isinstance(app.get("labels"), dict):
        base["labels"] = labels
    # Fields a text field gives back exactly leave base; anything else (null, [], a shape the
    # form cannot write) stays there, kept as it was.
    amounts = {}
    for name, key, _ in AMOUNTS:
        text = _amount_text(app.get(key))
        if text is not None:
            amounts[name] = text
            base.pop(key, None)
    constraints = _constraint_lines(app.get("constraints"))
    if constraints is not None:
        base.pop("constraints", None)
    health = _check_rows(app.get("healthChecks"), HEALTH_KEYS)
    if health is not None:
        base.pop("healthChecks", None)
    readiness = _check_rows(app.get("readinessChecks"), READINESS_KEYS)
    if readiness is not None:
        base.pop("readinessChecks", None)
    return Draft(
        app={
            "app_id": app.get("id", ""),
            "cmd": app.get("cmd") or "",
            "args": "\n".join(a for a in app.get("args") or () if isinstance(a, str)),
            "container_type": container.get("type", "") if container else "",
            "image": docker.get("image") or "",
            "network_mode": mode,
            "network_names": ", ".join(
                n["name"] for n in app.get("networks") or () if n.get("name")
            ),
            "require_ports": bool(app.get("requirePorts")),
            **lb_app,
            "instances": amounts.get("instances", ""),
            "cpus": amounts.get("cpus", ""),
            "mem": amounts.get("mem", ""),
            "constraints": constraints or "",
            "base": json.dumps(base),
            "version": str(version),
        },
        ports=[
            {**_port_row(entry, mode), **lb_row}
            for entry, lb_row in zip(entries, lb_ports, strict=True)
        ],
        env=[{"name": k, "value": v} for k, v in env.items() if isinstance(v, str)],
        health=health or [],
        readiness=readiness or [],
    )


def _amount_text(value: Any) -> str | None:
    """A number as a field shows it and ``_amount`` reads it back to the same JSON value (3 as
    "3", 0.5 as "0.5", 128.0 as "128.0"), text as it was typed; None for anything else."""
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    text = repr(value)
    return text if _amount(text, whole=isinstance(value, int)) == value else None


_DECIMAL = re.compile(r"^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _amount(text: str, *, whole: bool) -> Any:
    """A typed amount as a JSON number (an integer unless it has a point or an exponent, and
    only an integer where ``whole``); anything else stays text, as typed, for the schema."""
    stripped = text.strip()
    value = number(stripped, digits=15)
    if value is not None:
        return value
    if not whole and _DECIMAL.match(stripped):
        parsed = float(stripped)
        return parsed if math.isfinite(parsed) else text
    return text


def _constraint_lines(value: Any) -> str | None:
    """Constraints as the field's lines, ``field:OPERATOR[:value]``, when each line reads back as
    the same constraint; None otherwise (not a non-empty list of lists of strings, a part the
    line cannot hold)."""
    if not isinstance(value, list) or not value:
        return None
    lines = []
    for constraint in value:
        if not isinstance(constraint, list) or not all(isinstance(p, str) for p in constraint):
            return None
        line = ":".join(constraint)
        if not line.strip() or line.splitlines() != [line] or _constraint(line) != constraint:
            return None
        lines.append(line)
    return "\n".join(lines)


def _constraint(line: str) -> list[str]:
    # The value (third part) may hold colons, as a LIKE regex can.
    return line.split(":", 2)


def _check_rows(checks: Any, keys: dict[str, str]) -> list[dict[str, str]] | None:
    """Health or readiness checks as rows: the keys the form edits as fields (a string, or a
    number the form writes back as one), the rest as JSON in ``extra``. None when they cannot be
    rows (absent, [], not a list of objects)."""
    if not isinstance(checks, list) or not checks or not all(isinstance(c, dict) for c in checks):
        return None
    rows = []
    for check in checks:
        extra = dict(check)
        row = {}
        for name, key in keys.items():
            value = extra.get(key)
            numeric = key != "protocol" and key != "portName"
            if isinstance(value, str) or (
                numeric and isinstance(value, int) and not isinstance(value, bool)
            ):
                row[name] = str(extra.pop(key))
            else:
                row[name] = ""
        row["extra"] = json.dumps(extra) if extra else ""
        rows.append(row)
    return rows


def _check_entry(row: dict[str, str], keys: dict[str, str]) -> dict:
    """A row back as a check: each field that is not blank (a number where it reads as one),
    first, as checks are usually written ({"protocol": "HTTP", "portIndex": 0, "path": "/"}),
    then ``extra``."""
    entry: dict[str, Any] = {}
    for name, key in keys.items():
        text = row.get(name, "")
        if text.strip():
            entry[key] = text if key in ("protocol", "portName") else _number(text)
    extra = _json_object(row.get("extra", ""))
    return {**entry, **{k: v for k, v in extra.items() if k not in entry}}


def _base(app: dict) -> dict:
    """What the form cannot rebuild from its fields: everything it does not model. Carried in a
    hidden field on every request, so it holds nothing the fields already do."""
    base = {k: v for k, v in app.items() if k not in ("id", "cmd", "args", "portDefinitions")}
    base.pop("requirePorts", None)
    secrets = {k: v for k, v in (app.get("env") or {}).items() if not isinstance(v, str)}
    _set(base, "env", secrets)
    if app.get("container"):
        container = {k: v for k, v in app["container"].items() if k not in ("type", "portMappings")}
        docker = {k: v for k, v in (container.get("docker") or {}).items() if k != "image"}
        if "docker" in container:
            container["docker"] = docker
        base["container"] = container
    return base


def _lb_fields(app: dict, count: int) -> tuple[dict, dict[str, str], list[dict[str, str]]]:
    """marathon-lb's labels of ``app`` as form values: the app's fields, each of its ``count``
    port rows' fields (``HAPROXY_<n>_*`` of row n; those without a field in ``lb_extra``), and
    the labels left for ``base``: the rest, a ``HAPROXY_<n>_*`` for no port among them. A value
    a text field cannot hold as it is (blank, several lines) stays where it was."""
    labels = dict(app.get("labels") or {})
    values = {}
    for name, key in LB_APP_FIELDS.items():
        values[name] = labels.pop(key) if _fits_field(labels.get(key)) else ""
    by_port = lb.labels_by_port({k: v for k, v in labels.items() if isinstance(v, str)})
    rows = []
    for i in range(count):
        mine = by_port.get(str(i), {})
        for suffix in mine:
            del labels[f"HAPROXY_{i}_{suffix}"]
        row = {
            name: mine.pop(suffix) if _fits_field(mine.get(suffix)) else ""
            for name, suffix in LB_PORT_FIELDS.items()
        }
        row["lb_extra"] = json.dumps(mine) if mine else ""
        rows.append(row)
    return labels, values, rows


def _fits_field(value: Any) -> bool:
    # A text field holds one line, and cannot tell a blank label from none.
    return isinstance(value, str) and value != "" and not any(c in value for c in "\r\n")


def _lb_row_labels(row: dict[str, str]) -> dict[str, str]:
    """A port row's marathon-lb labels by suffix: its others (``lb_extra``), then each field
    that is not blank, as typed."""
    extra = _json_object(row.get("lb_extra", ""))
    labels = {k: v for k, v in extra.items() if isinstance(v, str)}
    labels.update({suffix: row[name] for name, suffix in LB_PORT_FIELDS.items() if row.get(name)})
    return labels


def _port_row(entry: dict, mode: str) -> dict[str, str]:
    labels = dict(entry.get("labels") or {})
    vip_label = next((k for k in labels if k.startswith("VIP_")), "")
    vip = labels.pop(vip_label, "") if vip_label else ""
    extra = {k: v for k, v in entry.items() if k not in MODELED_PORT_KEYS}
    if mode == HOST:
        service_port, host_port_mode, host_port, container_port = entry.get("port", 0), "", "", 0
    else:
        service_port = entry.get("servicePort", 0)
        container_port = entry.get("containerPort", 0)
        host = entry.get("hostPort")
        host_port_mode = "none" if host is None else "random" if host == 0 else "fixed"
        host_port = "" if not host else str(host)
    return {
        "name": entry.get("name") or "",
        "protocol": entry.get("protocol", "tcp"),
        "container_port": str(container_port),
        "host_port_mode": host_port_mode or "random",
        "host_port": host_port,
        "service_port": str(service_port) if service_port else "",
        "vip": vip,
        "labels": "\n".join(f"{k}={v}" for k, v in labels.items()),
        "network_names": ", ".join(entry.get("networkNames") or ()),
        "vip_label": vip_label,
        "extra": json.dumps(extra) if extra else "",
    }


def app_from_draft(draft: Draft) -> tuple[dict, list[str]]:
    """The app JSON the draft stands for, and notes on anything of ``base`` it had to give up."""
    notes: list[str] = []
    base = draft.base
    values = draft.app
    mode = draft.mode
    app = {k: v for k, v in base.items() if k not in ("portDefinitions", "container")}
    _set(app, "id", values.get("app_id", "").strip())
    _set(app, "cmd", values.get("cmd", "").strip())
    args = [line.strip() for line in values.get("args", "").splitlines() if line.strip()]
    _set(app, "args", args)
    env = {k: v for k, v in (base.get("env") or {}).items() if not isinstance(v, str)}
    for row in draft.env:
        if row.get("name", "").strip():
            env[row["name"].strip()] = row.get("value", "")
    _set(app, "env", env)

    labels = _app_labels(draft, base, notes)
    if labels or isinstance(base.get("labels"), dict):
        app["labels"] = labels
    # Blank leaves what base kept (nothing, or what no field could show).
    for name, key, whole in AMOUNTS:
        if values.get(name, "").strip():
            app[key] = _amount(values[name], whole=whole)
    constraints = [_constraint(line) for line in values.get("constraints", "").splitlines()]
    if constraints := [c for c in constraints if ":".join(c).strip()]:
        app["constraints"] = constraints
    if draft.health:
        app["healthChecks"] = [_check_entry(row, HEALTH_KEYS) for row in draft.health]
    if draft.readiness:
        app["readinessChecks"] = [_check_entry(row, READINESS_KEYS) for row in draft.readiness]

    names = [n.strip() for n in values.get("network_names", "").split(",") if n.strip()]
    app["networks"] = _networks(mode, names, base.get("networks") or [])
    ports = [_port_entry(row, i, mode) for i, row in enumerate(draft.ports)]
    if mode == BRIDGE:
        for i, row in enumerate(draft.ports):
            if row.get("host_port_mode") == "none":
                # forPostValidation: "when in BRIDGE mode, missing host ports default to zero".
                notes.append(
                    f"Port {i}: bridge networking always maps a host port, so Marathon gives it "
                    "a random one. Pick Container networks to leave it off the host."
                )

    base_container = base.get("container") or {}
    container_type = values.get("container_type", "")
    if container_type or mode != HOST:
        container = {k: v for k, v in base_container.items() if k != "portMappings"}
        # Marathon gives a non-host app without a container a MESOS one (forPostValidation).
        container["type"] = container_type or "MESOS"
        docker = dict(base_container.get("docker") or {})
        image = values.get("image", "").strip()
        if image:
            docker["image"] = image
        else:
            docker.pop("image", None)
        _set(container, "docker", docker)
        if mode != HOST:
            container["portMappings"] = ports
        app["container"] = container
    else:
        lost = [k for k in base_container if k not in ("type", "docker", "portMappings")]
        if lost:
            notes.append(
                f"Container is None, so container.{', container.'.join(lost)} from the loaded "
                "app will not be exported. Pick MESOS or DOCKER to keep them."
            )
    if mode == HOST:
        app["portDefinitions"] = ports
        app["requirePorts"] = bool(values.get("require_ports"))
    else:
        app["requirePorts"] = False
    first = [k for k in ("id", "cmd", "args") if k in app]
    return {**{k: app[k] for k in first}, **app}, notes


def _app_labels(draft: Draft, base: dict, notes: list[str]) -> dict:
    """The app's labels: ``base``'s, then marathon-lb's from the app's fields, then each port
    row's ``HAPROXY_<n>_*`` with n the row's index now: removing a row takes its labels along
    and renumbers the ones after it."""
    labels = base.get("labels")
    labels = {**labels} if isinstance(labels, dict) else {}
    app_fields = {
        key: draft.app[name] for name, key in LB_APP_FIELDS.items() if draft.app.get(name)
    }
    labels.update(app_fields)
    loaded = lb.labels_by_port(labels)  # the ports' labels in base, before the rows' own
    for i, row in enumerate(draft.ports):
        if stray := list(loaded.get(str(i), ())):
            # Loaded for no port (lint: lb-label-not-a-port); a row added since is that port.
            keys = ", ".join(f"HAPROXY_{i}_{suffix}" for suffix in stray)
            notes.append(
                f"Port {i}: {keys} from the loaded app's labels now apply to this port; edit "
                "them in the JSON."
            )
        labels.update({f"HAPROXY_{i}_{k}": v for k, v in _lb_row_labels(row).items()})
    return labels


def _networks(mode: str, names: list[str], base_networks: list[dict]) -> list[dict]:
    if mode == HOST:
        return [{"mode": HOST}]
    if mode == BRIDGE:
        labels = next((n.get("labels") for n in base_networks if n.get("mode") == BRIDGE), None)
        return [{"mode": BRIDGE, **({"labels": labels} if labels else {})}]
    by_name = {n.get("name"): n for n in base_networks if n.get("mode") == CONTAINER}
    if not names:
        return [{"mode": CONTAINER}]
    return [{**by_name.get(name, {}), "mode": CONTAINER, "name": name} for name in names]


def _port_entry(row: dict[str, str], index: int, mode: str) -> dict:
    entry: dict[str, Any] = _json_object(row.get("extra", ""))
    labels = _labels(row.get("labels", ""))
    vip = row.get("vip", "").strip()
    if vip:
        labels[row.get("vip_label") or f"VIP_{index}"] = vip
    name = row.get("name", "").strip()
    protocol = row.get("protocol") or "tcp"
    if mode == HOST:
        entry["port"] = _number(row.get("service_port", ""))
        entry["protocol"] = protocol
        _set(entry, "name", name)
        _set(entry, "labels", labels)
        return entry
    entry["containerPort"] = _number(row.get("container_port", ""))
    host_port_mode = row.get("host_port_mode", "random")
    if host_port_mode == "random":
        entry["hostPort"] = 0
    elif host_port_mode == "fixed":
        entry["hostPort"] = _number(row.get("host_port", ""), default="")
    entry["servicePort"] = _number(row.get("service_port", ""))
    entry["protocol"] = protocol
    _set(entry, "name", name)
    entry["labels"] = labels
    network_names = [n.strip() for n in row.get("network_names", "").split(",") if n.strip()]
    _set(entry, "networkNames", network_names)
    return entry


def _number(text: str, default: Any = 0) -> Any:
    """A typed port number as a JSON integer; anything else stays text exactly as typed, for the
    schema to name ("must be a whole number") and the form to show again. Up to 10 digits: a
    longer number is no port either, and int() refuses more than 4,300 digits."""
    stripped = (text or "").strip()
    if not stripped:
        return default
    value = number(stripped, digits=10)
    return text if value is None else value


def _json_object(text: str) -> dict:
    """A JSON object the page put in a hidden field, or {} for anything else."""
    if not text:
        return {}
    try:
        value = parse_json(text, "a hidden field")
    except ReadError:
        return {}
    return value if isinstance(value, dict) else {}


def _labels(text: str) -> dict[str, str]:
    labels = {}
    for line in text.splitlines():
        if line.strip():
            key, _, value = line.partition("=")
            labels[key.strip()] = value.strip()
    return labels


def _set(target: dict, key: str, value: Any) -> None:
    if value or value == 0 and not isinstance(value, bool):
        target[key] = value
    else:
        target.pop(key, None)


# --- the POST reader ------------------------------------------------------------------------------

# The most ports (and env rows) the form holds. Marathon sets no limit, but a task's host ports
# come from one agent's offer, and agents offer 1,001 ports by default (31000-32000); a request
# body and a page need a bound. Larger apps go through import and `portplan check`.
MAX_ROWS = 1000


@dataclass(frozen=True, slots=True)
class Posted:
    """One composer post, read once: the draft the form holds, the button pressed (``kind`` and
    its argument, from ``action=kind:arg``) and the JSON pane's text as the user left it."""

    draft: Draft | None  # None when the post carried no form (a bare JSON load)
    kind: str = "preview"
    arg: str = ""
    json_text: str | None = None  # None when the pane was not posted
    json_shown: str = ""  # digest of what the server last put in the pane
    message: str = ""  # why, for the app's history
    # Where a proposal goes (``request``: the number of one of the user's open requests, else a
    # new one titled ``title``), and an owner's emergency save (``emergency``, ``reason``).
    review: dict[str, str] = field(default_factory=dict)


def read_post(data) -> Posted:
    """A composer post (a QueryDict or any mapping of strings), read through the forms' own
    widgets. Reads values only: the per-keystroke preview skips building bound forms (a deep copy
    of every field of every row)."""
    draft = None
    if "app_id" in data:
        draft = Draft(
            app=_values(data, AppForm, APP_FIELDS, ""),
            ports=_rows(data, "ports", PortForm, PORT_FIELDS),
            env=_rows(data, "env", EnvForm, ENV_FIELDS),
            health=_rows(data, "health", HealthCheckForm, HEALTH_FIELDS),
            readiness=_rows(data, "readiness", ReadinessCheckForm, READINESS_FIELDS),
        )
    kind, _, arg = data.get("action", "preview").partition(":")
    review = {"request": data.get("request", ""), "emergency": data.get("emergency", "")}
    review |= {"title": typed(data, "title"), "reason": typed(data, "reason")}
    posted = (data.get("json"), data.get("json_shown", ""), typed(data, "message"), review)
    return Posted(draft, kind, arg, *posted)


def _values(data, form_class, names: list[str], prefix: str) -> dict:
    fields = form_class.base_fields
    return {
        name: fields[name].widget.value_from_datadict(data, {}, prefix + name) or ""
        for name in names
    }


def _rows(data, prefix: str, form_class, names: list[str]) -> list[dict]:
    count = number(data.get(f"{prefix}-TOTAL_FORMS", ""), digits=6) or 0
    if count > MAX_ROWS:
        # The page never posts more; cutting the rows short would drop what was sent.
        raise BadRequest(f"{count} {prefix} rows posted; the composer takes up to {MAX_ROWS}")
    return [_values(data, form_class, names, f"{prefix}-{i}-") for i in range(count)]


def edit(draft: Draft, kind: str, arg: str) -> Draft:
    """The form's own buttons, which work without JavaScript: add or remove a port or variable,
    put a free service port in a row, drop a row's marathon-lb bind port. Anything else leaves
    the draft as it is."""
    ports, env = list(draft.ports), list(draft.env)
    health, readiness = list(draft.health), list(draft.readiness)
    row, _, value = arg.partition(":")
    index = number(row, digits=6)
    port = value if number(value, digits=5) is not None else None
    if kind == "add_port" and len(ports) < MAX_ROWS:
        ports.append({"protocol": "tcp", "container_port": "0", "host_port_mode": "random"})
    elif kind == "remove_port" and index is not None and index < len(ports):
        del ports[index]
        # A health check follows its port, as the port's marathon-lb labels do.
        health = [_renumbered(check, index) for check in health]
    elif kind == "add_env" and len(env) < MAX_ROWS:
        env.append({"name": "", "value": ""})
    elif kind == "remove_env" and index is not None and index < len(env):
        del env[index]
    elif kind == "add_health" and len(health) < MAX_ROWS:
        health.append({"protocol": "", "port_index": "", "port": ""})
    elif kind == "remove_health" and index is not None and index < len(health):
        del health[index]
    elif kind == "add_readiness" and len(readiness) < MAX_ROWS:
        readiness.append({"port_name": ""})
    elif kind == "remove_readiness" and index is not None and index < len(readiness):
        del readiness[index]
    elif kind == "set_service_port" and index is not None and index < len(ports) and port:
        ports[index] = {**ports[index], "service_port": port}
    elif kind == "clear_lb_port" and index is not None and index < len(ports):
        ports[index] = {**ports[index], "lb_port": ""}
    return Draft(app=draft.app, ports=ports, env=env, health=health, readiness=readiness)


# The form's buttons by the part of the page they change (its fieldset's id).
ROW_ACTIONS = {
    "add_port": "ports",
    "remove_port": "ports",
    "set_service_port": "ports",
    "clear_lb_port": "ports",
    "add_env": "env",
    "remove_env": "env",
    "add_health": "checks",
    "remove_health": "checks",
    "add_readiness": "checks",
    "remove_readiness": "checks",
}
# What to focus in a row the button added or left in place, and the button to fall back to.
_FIRST_FIELD = {"ports": "name", "env": "name", "health": "protocol", "readiness": "port_name"}
_ADD_BUTTON = {
    "ports": "add-port",
    "env": "add-env",
    "health": "add-health",
    "readiness": "add-readiness",
}


def focus_after(kind: str, arg: str, draft: Draft) -> str:
    """The HTML id of what a button of the form changed in ``draft`` (the draft after it), for
    focus to go to: a row added, its first field; a row removed, the first field of the row now
    in its place, or the list's Add button after the last; a port given a free service port or
    a bind port dropped, that field. "" for anything else."""
    index = number(arg.partition(":")[0], digits=6)
    rows = kind.partition("_")[2]
    prefix = {"port": "ports", "env": "env", "health": "health", "readiness": "readiness"}.get(rows)
    if kind.startswith("add_") and prefix:
        count = len(getattr(draft, "ports" if prefix == "ports" else prefix))
        return f"id_{prefix}-{count - 1}-{_FIRST_FIELD[prefix]}" if count else ""
    if kind.startswith("remove_") and prefix and index is not None:
        count = len(getattr(draft, "ports" if prefix == "ports" else prefix))
        if index < count:
            return f"id_{prefix}-{index}-{_FIRST_FIELD[prefix]}"
        return _ADD_BUTTON[prefix]
    ports = len(draft.ports)
    if kind in ("set_service_port", "clear_lb_port") and index is not None and index < ports:
        field = "service_port" if kind == "set_service_port" else "lb_port"
        return f"id_ports-{index}-{field}"
    return ""


def _renumbered(check: dict[str, str], removed: int) -> dict[str, str]:
    """A health check after port ``removed`` went: a portIndex past it moves down by one."""
    index = number(check.get("port_index", "").strip(), digits=6)
    if index is None or index <= removed:
        return check
    return {**check, "port_index": str(index - 1)}


# --- which field a message is about ------------------------------------------------------------

_PORT_KEYS = {
    "port": "service_port",
    "servicePort": "service_port",
    "containerPort": "container_port",
    "hostPort": "host_port",
    "protocol": "protocol",
    "name": "name",
    "networkNames": "network_names",
    "labels": "labels",
}
_APP_KEYS = {
    "id": "app_id",
    "cmd": "cmd",
    "args": "args",
    "requirePorts": "require_ports",
    "networks": "network_names",
}


def field_for_pointer(path: str, draft: Draft) -> str | None:
    """The HTML id of the field ``path`` (an RFC 6901 pointer into the app) is about, if any."""
    parts = split(path)
    if not parts:
        return None
    head = parts[0]
    if head == "portDefinitions" or parts[:2] == ["container", "portMappings"]:
        return _port_field(parts[1:] if head == "portDefinitions" else parts[2:])
    if head == "container":
        return "id_image" if parts[1:2] == ["docker"] else "id_container_type"
    if head == "env" and len(parts) > 1:
        for i, row in enumerate(draft.env):
            if row.get("name", "").strip() == parts[1]:
                return f"id_env-{i}-value"
        return "env"
    if head == "networks":
        return "id_network_names" if draft.mode == "container" else "network-mode"
    if head in ("instances", "cpus", "mem", "constraints"):
        return f"id_{head}"
    if head in ("healthChecks", "readinessChecks") and len(parts) > 1:
        return _check_field(head, parts[1:], draft)
    if head == "labels" and len(parts) > 1:
        return _label_field(parts[1], draft)
    return f"id_{_APP_KEYS[head]}" if head in _APP_KEYS else None


def _check_field(head: str, rest: list[str], draft: Draft) -> str | None:
    """A health check's field (its portIndex unless the path names another), or a readiness
    check's portName; None where the checks are not rows of the form."""
    rows, prefix = (
        (draft.health, "health") if head == "healthChecks" else (draft.readiness, "readiness")
    )
    index = number(rest[0], digits=6)
    if index is None or index >= len(rows):
        return None
    keys = HEALTH_KEYS if prefix == "health" else READINESS_KEYS
    names = {key: name for name, key in keys.items()}
    name = names.get(rest[1], next(iter(names.values()))) if len(rest) > 1 else None
    if name is None:
        name = "port_index" if prefix == "health" else "port_name"
    return f"id_{prefix}-{index}-{name}"


def _label_field(key: str, draft: Draft) -> str | None:
    """marathon-lb's labels are fields: of the app, or of port row n for ``HAPROXY_<n>_*``."""
    for name, app_key in LB_APP_FIELDS.items():
        if key == app_key:
            return f"id_{name}"
    match = lb.PER_PORT.match(key)
    if match is None or int(match[1]) >= len(draft.ports):
        return None
    names = {suffix: name for name, suffix in LB_PORT_FIELDS.items()}
    return f"id_ports-{match[1]}-{names.get(match[2], 'name')}"


def _port_field(rest: list[str]) -> str:
    if not rest or not rest[0].isdecimal():
        return "ports"
    index = int(rest[0])
    key = _PORT_KEYS.get(rest[1]) if len(rest) > 1 else None
    if key == "labels" and len(rest) > 2 and rest[2].startswith("VIP_"):
        key = "vip"
    return f"id_ports-{index}-{key or 'name'}"
