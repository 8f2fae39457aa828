"""Stage 5: host ports, as the offer matcher takes them at launch (M/tasks/PortsMatcher.scala, spec
§5).

A fixed port is what the agent must offer. A dynamic one is chosen by Mesos at launch; for the
preview we draw it from the cluster's agent port ranges, consecutively like PortsMatcher does,
and mark it dynamic."""

from __future__ import annotations

from dataclasses import dataclass

from .model import HOST, PORT_MAPPINGS


@dataclass(frozen=True, slots=True)
class HostPort:
    port: int | None  # None: no host port at all (container-mode mapping without hostPort)
    dynamic: bool  # True: chosen at launch; ``port`` is only an example from the agent range


def resolve_host_ports(
    list_path: str, entries: list[dict], mode: str, require_ports: bool, agent_ranges
) -> list[HostPort]:
    if list_path == PORT_MAPPINGS:
        wanted = [m.get("hostPort") for m in entries]  # requirePorts is ignored for mappings
    elif mode == HOST and require_ports:
        # With requirePorts the host ports are the port numbers, i.e. the *assigned service ports*.
        wanted = [d["port"] for d in entries]
    else:
        wanted = [0] * len(entries)
    # Random host ports never reuse one of the app's own fixed host ports.
    fixed = {p for p in wanted if p}
    draw = _draw(agent_ranges, fixed)
    return [
        HostPort(None, False)
        if p is None
        else HostPort(next(draw, None), True)
        if p == 0
        else HostPort(p, False)
        for p in wanted
    ]


def _draw(agent_ranges, exclude: set[int]):
    for low, high in agent_ranges:
        for port in range(low, high + 1):
            if port not in exclude:
                yield port
