"""What the preview says about an app's checks and placement, in sentences: which port each health
and readiness check probes, and how many agents its tasks need when fixed host ports (or a
hostname:UNIQUE constraint) keep them apart."""

from __future__ import annotations

from typing import Any

from portplanner.marathon import AppResult, PortPlan
from portplanner.marathon.findings import counted
from portplanner.marathon.model import upper
from portplanner.marathon.validate import READINESS_DEFAULT_PORT_NAME


def check_sentences(result: AppResult) -> list[str]:
    """One sentence per health check, then per readiness check, of a readable app."""
    app = result.app if isinstance(result.app, dict) else {}
    sentences = []
    for i, check in enumerate(_list(app.get("healthChecks"))):
        if not isinstance(check, dict):
            continue
        protocol = upper(check.get("protocol")) or "HTTP"
        if protocol == "COMMAND" or check.get("command"):
            target = "runs its command, probes no port"
        elif isinstance(check.get("port"), int) and not isinstance(check.get("port"), bool):
            target = f"probes port {check['port']}"
        else:
            # Marathon gives a check without either portIndex 0 (normalizeHealthChecks).
            index = check.get("portIndex", 0)
            target = f"probes {_port(result.ports, index)}"
        sentences.append(f"Health check {i}, {protocol}: {target}.")
    for i, check in enumerate(_list(app.get("readinessChecks"))):
        if not isinstance(check, dict):
            continue
        name = check.get("portName", READINESS_DEFAULT_PORT_NAME)
        port = next((p for p in result.ports if p.name == name), None)
        where = _port(result.ports, port.index) if port else f"a port named {name}, which it lacks"
        sentences.append(f"Readiness check {i}: waits on {where}.")
    return sentences


def placement_sentence(result: AppResult) -> str:
    """How many agents the app's tasks need, where something keeps them apart: fixed host ports
    (one agent cannot offer the same port twice) or hostname:UNIQUE. Empty otherwise."""
    app = result.app if isinstance(result.app, dict) else {}
    instances = app.get("instances", 1)
    if isinstance(instances, bool) or not isinstance(instances, int) or instances < 2:
        return ""
    unique = any(
        isinstance(c, list) and len(c) >= 2 and c[0] == "hostname" and upper(c[1]) == "UNIQUE"
        for c in _list(app.get("constraints"))
    )
    fixed = [
        p.host_port for p in result.ports if p.host_port is not None and not p.host_port_dynamic
    ]
    if fixed:
        ports = _words([str(p) for p in dict.fromkeys(fixed)])
        noun = "that port" if len(set(fixed)) == 1 else "those ports"
        also = " (hostname:UNIQUE asks for one task per agent too)" if unique else ""
        return (
            f"{counted(instances, 'instance')}, each holding fixed host "
            f"{'port' if len(set(fixed)) == 1 else 'ports'} {ports}: no two of its tasks can "
            f"share an agent, so it needs {counted(instances, 'agent')} that offer {noun} "
            f"free{also}."
        )
    if unique:
        return (
            f"{counted(instances, 'instance')} with hostname:UNIQUE: one task per agent, so it "
            f"needs {counted(instances, 'agent')}."
        )
    return ""


def _port(ports: list[PortPlan], index: Any) -> str:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(ports):
        return f"portIndex {index}, which is no port of the app"
    port = ports[index]
    return f"port {index} ({port.name})" if port.name else f"port {index}"


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
