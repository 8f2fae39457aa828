"""Stage 2: Marathon's checks on deprecated fields, run before normalization.

``AppValidation.validateOldAppAPI`` (M/api/v2/validation/AppValidation.scala:261-290): the rules
about combining ``ports``, ``ipAddress`` and ``container.docker.network``/``portMappings`` with
the canonical fields. Messages and paths are Marathon's."""

from __future__ import annotations

from .findings import AppError
from .model import container_type, duplicate_names


def legacy_errors(app: dict) -> list[AppError]:
    errors: list[AppError] = []
    container = app.get("container") or {}
    docker = container.get("docker")
    ip_address = app.get("ipAddress")
    networks = app.get("networks")
    ports = app.get("ports")
    port_definitions = app.get("portDefinitions")

    if docker:
        ctype = container_type(container)
        if ctype == "MESOS":
            # validOldContainerAPI.forMesosContainerizer: legacy Docker fields need the
            # Docker containerizer.
            for key, present in (
                ("credential", docker.get("credential") is not None),
                ("network", docker.get("network") is not None),
                ("parameters", bool(docker.get("parameters"))),
                ("portMappings", docker.get("portMappings") is not None),
            ):
                if present:
                    errors.append(AppError(f"/container/docker/{key}", "must be empty"))
        elif docker.get("credential") is not None:
            errors.append(AppError("/container/docker/credential", "must be empty"))
        docker_mappings = docker.get("portMappings")
        if docker_mappings and duplicate_names(docker_mappings):
            errors.append(AppError("/container/docker/portMappings", "Port names must be unique."))

    if (
        ip_address is not None
        and ip_address.get("discovery") is not None
        and container
        and container_type(container) == "DOCKER"
    ):
        errors.append(
            AppError("/ipAddress", "ipAddress/discovery is not allowed for Docker containers")
        )
    if docker and docker.get("network") is not None and networks:
        errors.append(AppError("/", "must not specify both container.docker.network and networks"))
    if ip_address is not None and networks:
        errors.append(AppError("/", "must not specify both networks and ipAddress"))
    fixed = [p for p in ports or () if p != 0]
    if len(set(fixed)) != len(fixed):
        errors.append(AppError("/", "ports must be unique"))
    if ip_address is not None and (ports or port_definitions):
        errors.append(AppError("/", "cannot specify both an IP address and port"))
    if (
        ports is not None
        and port_definitions is not None
        and [d.get("port", 0) for d in port_definitions] != ports
    ):
        errors.append(AppError("/", "cannot specify both ports and port definitions"))
    return errors
