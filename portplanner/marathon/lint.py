"""Stage 7: warnings Marathon never gives, each with a stable code, a JSON pointer and a fix.

The rewrites Marathon makes silently (legacy fields, dropped ports, requirePorts forced off) are
reported by the normalization stage itself; this stage looks at the resolved ports and
variables."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import lb
from .env import EnvClash, EnvVar
from .findings import AppWarning
from .host_ports import HostPort
from .lb import LbBind
from .model import HOST, PORT_MAPPINGS, service_port_key, vip_labels
from .pointers import pointer

if TYPE_CHECKING:
    from .pipeline import PortPlan

_SHELL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# How a shell reads a variable reference: $NAME or ${NAME...}; names stop at the first non-word
# char.
_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_PORT_VAR = re.compile(r"^PORT(S|\d+|_[A-Za-z0-9_]+)?$")
_VIP_VALUE = re.compile(r"^(?P<host>[A-Za-z0-9._/-]+):(?P<port>\d+)$")


def lint_ports(
    app: dict,
    mode: str,
    list_path: str,
    entries: list[dict],
    requested_service_ports: list[int],
    service_ports: list[int],
    host_ports: list[HostPort],
    policy,
) -> list[AppWarning]:
    warnings: list[AppWarning] = []
    key = service_port_key(list_path)
    agents = ", ".join(f"{low}-{high}" for low, high in policy.agent_port_ranges)
    require_ports = mode == HOST and app.get("requirePorts")

    for i, requested in enumerate(requested_service_ports):
        if require_ports and requested == 0:
            port = service_ports[i]
            where = (
                f"agents offer {agents}, so no offer will ever match and the task waits forever"
                if not policy.in_agent_ranges(port)
                else "so the task only lands on agents that happen to have that port free"
            )
            warnings.append(
                AppWarning(
                    "require-ports-dynamic",
                    pointer("portDefinitions", i, "port"),
                    f"requirePorts with port 0: Marathon assigns service port {port} and then "
                    f"requires host port {port} on the agent; {where}.",
                    f"Set a fixed port inside the agent range ({agents}), or set requirePorts to "
                    f"false and read the host port from $PORT{i}.",
                )
            )
        elif requested and not policy.in_service_range(requested):
            warnings.append(
                AppWarning(
                    "service-port-outside-range",
                    f"{list_path}/{i}/{key}",
                    f"Service port {requested} is outside the cluster's service-port range "
                    f"{policy.local_port_min}-{policy.local_port_max}. Marathon accepts it, but "
                    "load balancers bind service ports on their own hosts, where it may clash "
                    "with other ports.",
                    "Use 0 to get the next free service port, or a free port inside the range.",
                )
            )

    for i, host in enumerate(host_ports):
        dynamic_required = require_ports and requested_service_ports[i] == 0
        fixed = host.port is not None and not host.dynamic and not dynamic_required
        if fixed and not policy.in_agent_ranges(host.port):
            path = (
                f"{list_path}/{i}/hostPort"
                if list_path == PORT_MAPPINGS
                else pointer("portDefinitions", i, "port")
            )
            warnings.append(
                AppWarning(
                    "host-port-outside-agent-range",
                    path,
                    f"Host port {host.port} is outside the agents' port resources ({agents}); "
                    "no "
                    "offer will contain it and the task will wait forever.",
                    "Use a port inside the agent range, 0 for a random one, or add the port "
                    "to the "
                    "agents' ports resource.",
                )
            )

    # The offer must hold every host port of the task at once, or it does not match and the task
    # waits forever (M/tasks/PortsMatcher.scala; PortsMatcherTest "get too many ports"). A dynamic
    # port left without an example is one the agents' ranges could not supply.
    short = [i for i, host in enumerate(host_ports) if host.dynamic and host.port is None]
    if short:
        needed = sum(host.port is not None or host.dynamic for host in host_ports)
        offered = sum(high - low + 1 for low, high in policy.agent_port_ranges)
        warnings.append(
            AppWarning(
                "too-few-agent-ports",
                f"{list_path}/{short[0]}",
                f"The task needs {needed} host ports but the agents offer {offered} ({agents}); "
                "no offer will match and the task will wait forever.",
                "Use fewer host ports (a container-mode mapping without hostPort takes none), "
                "or add ports to the agents' ports resource.",
            )
        )

    if list_path == PORT_MAPPINGS:
        warnings += _duplicates(
            entries,
            "servicePort",
            "duplicate-service-port",
            "Service port {port} is also used by port {first} of this app; "
            "a load balancer can route it to only one of them.",
            "Use 0 on one of them to get a free service port.",
        )
        warnings += _duplicates(
            entries,
            "hostPort",
            "duplicate-host-port",
            "Host port {port} is also used by port {first} of this app; one "
            "task cannot bind the same host port twice.",
            "Use 0 on one of them for a random host port.",
        )

    for i, entry in enumerate(entries):
        for label, value in vip_labels(entry):
            m = _VIP_VALUE.match(value.strip())
            if not m or not 0 < int(m.group("port")) <= 65535:
                warnings.append(
                    AppWarning(
                        "vip-malformed",
                        f"{list_path}/{i}/labels/{label}",
                        f'VIP label value "{value}" is not of the form <ip>:<port> or '
                        "/<name>:<port>; "
                        "the DC/OS load balancer will ignore it.",
                        'Write it like "/my-app:80" or "10.0.0.1:80".',
                    )
                )
    return warnings


def lint_env(
    app: dict,
    list_path: str,
    env: list[EnvVar],
    clashes: list[EnvClash],
    policy,
) -> list[AppWarning]:
    warnings: list[AppWarning] = []
    user_env = app.get("env") or {}
    for var in env:
        if var.port_index is not None and not _SHELL_NAME.match(var.name):
            # A shell reads the longest name it can: $PORT_MY-API is ${PORT_MY} then "-API".
            shell_name = _REFERENCE.match("$" + var.name)
            warnings.append(
                AppWarning(
                    "env-name-not-shell-safe",
                    f"{list_path}/{var.port_index}/name",
                    f"${var.name} is not a valid shell variable name; a shell reads "
                    f"${shell_name.group(1) if shell_name else ''} instead.",
                    "Rename the port without dashes (e.g. webapi), or read the variable with "
                    "getenv().",
                )
            )
    for clash in clashes:
        if clash.by.startswith("the app's env"):
            path = pointer("env", clash.name)
            message = (
                f"env sets {clash.name} and replaces the value Marathon generates "
                f"({clash.replaced})."
            )
            fix = f"Remove {clash.name} from env, or rename your variable."
        else:
            path = f"{list_path}/{clash.port_index}/name" if clash.port_index is not None else "/"
            message = f"{clash.name} is generated twice: {clash.by} replaces {clash.replaced}."
            fix = "Rename the port so its name is not a port number."
        warnings.append(AppWarning("env-name-clash", path, message, fix))

    available = {v.name for v in env} | set(user_env)
    prefix = policy.env_vars_prefix
    for path, text in _command_texts(app):
        for name in dict.fromkeys(_REFERENCE.findall(text)):
            bare = name[len(prefix) :] if name.startswith(prefix) else name
            if name in available or not _PORT_VAR.match(bare):
                continue
            hint = ""
            if prefix and not name.startswith(prefix) and f"{prefix}{name}" in available:
                hint = f" The cluster prefixes port variables: use ${prefix}{name}."
            defined = ", ".join(f"${v.name}" for v in env if v.port_index is not None) or "none"
            warnings.append(
                AppWarning(
                    "undefined-port-reference",
                    path,
                    f"${name} is referenced but the task will not have it (port variables: "
                    f"{defined}).{hint}",
                    "Add the port it refers to, or refer to one of the variables above.",
                )
            )
    return warnings


def _duplicates(entries, key, code, message, fix) -> list[AppWarning]:
    seen: dict[int, int] = {}
    out = []
    for i, entry in enumerate(entries):
        port = entry.get(key)
        if not port:
            continue
        if port in seen:
            out.append(
                AppWarning(
                    code,
                    pointer("container", "portMappings", i, key),
                    message.format(port=port, first=seen[port]),
                    fix,
                )
            )
        else:
            seen[port] = i
    return out


def _command_texts(app: dict):
    if isinstance(app.get("cmd"), str):
        yield "/cmd", app["cmd"]
    for i, arg in enumerate(app.get("args") or ()):
        if isinstance(arg, str):
            yield pointer("args", i), arg
    for name, value in (app.get("env") or {}).items():
        if isinstance(value, str):
            yield pointer("env", name), value


def lint_lb(app: dict, ports: list[PortPlan]) -> list[AppWarning]:
    """marathon-lb's labels (lb.py): numbers it cannot read, labels it never reads, group names it
    will not match, modes HAProxy does not have, and one port bound twice by this app."""
    warnings: list[AppWarning] = []
    labels = lb.labels_of(app)
    count = len(ports)
    for key, index in lb.per_port_labels(labels):
        if index is None or index >= count:
            read = f"0 to {count - 1}" if count > 1 else "0" if count else "none: it has no ports"
            warnings.append(
                AppWarning(
                    "lb-label-not-a-port",
                    lb.label_path(key),
                    f"{key} is for no port of this app: marathon-lb reads HAPROXY_<n>_ labels "
                    f"for each port index n, written without leading zeros ({read}), and "
                    "ignores this one.",
                    "Use the index of the port it is meant for, or remove it.",
                )
            )
    numbered = [f"HAPROXY_{i}_{lb.PORT}" for i in range(count)] + [lb.ALT_PORT]
    for key in numbered:
        value = labels.get(key)
        if value is None or lb.parse_port(value) is not None:
            continue
        if key == lb.ALT_PORT:
            effect = "zdd.py's int() fails on it and the blue/green deploy stops."
        elif lb.read_int(value) is not None:
            effect = "HAProxy cannot bind it, and marathon-lb leaves the app out of its config."
        else:
            effect = (
                "marathon-lb's int() fails on it, and every marathon-lb of the cluster stops "
                'updating its config ("Unexpected error!") until it is fixed.'
            )
        warnings.append(
            AppWarning(
                "lb-port-malformed",
                lb.label_path(key),
                f'{key} "{value}" is not a port from 1 to 65535: {effect}',
                "Write a port number, or remove the label"
                + (" to bind the service port." if key != lb.ALT_PORT else "."),
            )
        )
    for key in [lb.APP_GROUP, *(f"HAPROXY_{i}_{lb.GROUP}" for i in range(count))]:
        value = labels.get(key)
        spaced = [g for g in value.split(",") if g != g.strip()] if value else []
        if value and spaced:
            trimmed = ",".join(g.strip() for g in value.split(","))
            warnings.append(
                AppWarning(
                    "lb-group-whitespace",
                    lb.label_path(key),
                    f'{key} "{value}" names the group "{spaced[0]}": marathon-lb splits groups '
                    'on "," without trimming them, so --group '
                    f"{spaced[0].strip() or '<name>'} does not serve it.",
                    f'Write the groups without spaces: "{trimmed}".',
                )
            )
    for i in range(count):
        key = f"HAPROXY_{i}_{lb.MODE}"
        value = labels.get(key)
        if value is not None and value.lower() not in lb.MODES:
            warnings.append(
                AppWarning(
                    "lb-mode-unknown",
                    lb.label_path(key),
                    f'{key} "{value}" is not a mode HAProxy has (tcp or http): marathon-lb writes '
                    "it into the frontend as it is, its config check fails, and the app is left "
                    "out of the config.",
                    "Use tcp or http, or remove it (http with a VHOST, else tcp).",
                )
            )
    seen: dict[tuple[str, int], tuple[PortPlan, LbBind]] = {}
    for p in ports:
        if p.lb is None:
            continue
        for group in p.lb.groups:
            first, first_bind = seen.setdefault((group, p.lb.port), (p, p.lb))
            if first is p or not (p.lb.by_label or first_bind.by_label):
                continue  # two service ports alike: Marathon's own rule (duplicate-service-port)
            labelled, path = (p, p.lb.path) if p.lb.by_label else (first, first_bind.path)
            other = first if labelled is p else p
            warnings.append(
                AppWarning(
                    "lb-port-shared",
                    path,
                    f"Port {labelled.index} binds {p.lb.port} in {lb.group_name(group)}, as port "
                    f"{other.index} of this app does: marathon-lb binds it for each and HAProxy "
                    "sends every connection to one of them.",
                    f"Give HAPROXY_{labelled.index}_PORT another port, or remove it to bind the "
                    "service port.",
                )
            )
            break
    return warnings
