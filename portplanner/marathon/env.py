"""Stage 6: the port variables a task gets, as ``EnvironmentHelper.portsEnv`` builds them (spec
§6).

Marathon's generator, not its docs: ``PORT`` is the first *assigned* port (not always
``PORT0``), fixed container-only ports are left out of ``PORTS``, ``PORT_<NAME>`` is only
upper-cased (dashes stay), and a later key silently replaces an earlier one of the same name."""

from __future__ import annotations

from dataclasses import dataclass

from .host_ports import HostPort

RANDOM_LOW = 1025  # Random.nextInt(64511) + 1025 (EnvironmentHelper.scala:41-55)
RANDOM_HIGH = 65535


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str
    value: str
    dynamic: bool  # decided at launch; ``value`` is an example
    source: str  # where the value comes from, in words
    port_index: int | None = None


@dataclass(frozen=True, slots=True)
class EnvClash:
    name: str
    port_index: int | None  # the port whose variable replaced the earlier one, if any
    replaced: str  # source of the value that was lost
    by: str  # source of the value that won


def port_env(
    requested: list[tuple[str | None, int]],
    host_ports: list[HostPort],
    prefix: str = "",
    user_env: dict | None = None,
) -> tuple[list[EnvVar], list[EnvClash]]:
    """``requested``: (name, requested port) per port: the containerPort for port mappings, the
    (assigned) service port for port definitions. ``host_ports``: the per-port result of stage 5."""
    env: dict[str, EnvVar] = {}
    clashes: list[EnvClash] = []
    if not host_ports:
        return [], clashes  # an app without ports gets no PORT, PORTS or PORT0 at all

    def put(var: EnvVar) -> None:
        earlier = env.get(var.name)
        if earlier is not None:
            clashes.append(EnvClash(var.name, var.port_index, earlier.source, var.source))
        env[var.name] = var

    used = {r for _, r in requested} | {h.port for h in host_ports if h.port is not None}
    generated: dict[int, int] = {}
    values: list[tuple[int, bool, str]] = []
    candidate = RANDOM_LOW
    for i, ((_, requested_port), host) in enumerate(zip(requested, host_ports, strict=True)):
        if host.port is not None:
            how = f"host port of port {i}, " + ("assigned at launch" if host.dynamic else "fixed")
            values.append((host.port, host.dynamic, how))
        elif requested_port != 0:
            values.append((requested_port, False, f"container port of port {i} (no host port)"))
        else:
            while candidate in used:
                candidate += 1
            used.add(candidate)
            generated[i] = candidate
            values.append(
                (
                    candidate,
                    True,
                    f"random {RANDOM_LOW}-{RANDOM_HIGH} picked at launch for "
                    f"port {i} (no host port, containerPort 0); nothing reserves it",
                )
            )
    for i, (value, dynamic, how) in enumerate(values):
        put(EnvVar(f"{prefix}PORT{i}", str(value), dynamic, how, i))
    for i, ((_, requested_port), (value, dynamic, how)) in enumerate(
        zip(requested, values, strict=True)
    ):
        # PORT_0 never appears: a requested 0 is named after the port actually used.
        key = requested_port or value
        put(
            EnvVar(
                f"{prefix}PORT_{key}", str(value), dynamic, f"port {i} by number {key}: {how}", i
            )
        )
    for i, ((name, _), (value, dynamic, how)) in enumerate(zip(requested, values, strict=True)):
        if name is not None:
            put(
                EnvVar(
                    f"{prefix}PORT_{name.upper()}",
                    str(value),
                    dynamic,
                    f"port {i} by name {name}: {how}",
                    i,
                )
            )
    assigned = [(h.port, h.dynamic) for h in host_ports if h.port is not None]
    assigned += [(generated[i], True) for i in sorted(generated)]
    if assigned:
        put(
            EnvVar(
                f"{prefix}PORT",
                str(assigned[0][0]),
                assigned[0][1],
                "the first assigned port (host ports first, then random ones)",
            )
        )
    put(
        EnvVar(
            f"{prefix}PORTS",
            ",".join(str(p) for p, _ in assigned),
            any(d for _, d in assigned),
            "every assigned port, comma-separated (container-only fixed ports are left out)",
        )
    )

    for name, value in (user_env or {}).items():
        # The app's own env is applied last and wins (MS/TaskBuilder.scala:238-245).
        if name in env and isinstance(value, str):
            put(EnvVar(name, value, False, "the app's env, replacing the generated value"))
    return list(env.values()), clashes
