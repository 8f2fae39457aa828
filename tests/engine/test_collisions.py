"""Collisions across apps, and the words every page and the CLI use for them."""

import pytest

from portplanner.marathon.collisions import (
    FIXABLE_BY_SERVICE_PORT,
    HOST_PORT,
    KINDS,
    LB_PORT,
    LB_RESERVED_PORT,
    RESERVED_PORT,
    SERVICE_PORT,
    VIP,
    Holding,
    find_collisions,
    port_holdings,
)


@pytest.mark.parametrize(
    ("mapping", "service_port", "host_port", "expected"),
    [
        (True, 10000, 31000, [(SERVICE_PORT, 10000, "/p/0/servicePort"),
                              (HOST_PORT, 31000, "/p/0/hostPort")]),
        (False, 10000, 10000, [(SERVICE_PORT, 10000, "/p/0/port"),
                               (HOST_PORT, 10000, "/p/0/port")]),
        (True, 10000, None, [(SERVICE_PORT, 10000, "/p/0/servicePort")]),
        (True, 0, None, []),
    ],
)  # fmt: skip
def test_port_holdings_point_at_the_field_held(mapping, service_port, host_port, expected):
    held = port_holdings(
        "/a", "/p/0", mapping=mapping, service_port=service_port, host_port=host_port
    )
    assert [(h.kind, h.port, h.path) for h in held] == expected


def test_find_collisions_only_across_apps_except_reserved_ports():
    holdings = [
        Holding("/a", SERVICE_PORT, 10000, None, "/portDefinitions/0/port"),
        Holding("/a", SERVICE_PORT, 10000, None, "/portDefinitions/1/port"),
        Holding("/a", SERVICE_PORT, 80, None, "/portDefinitions/2/port"),
        Holding("/a", VIP, None, "/web:80", "/portDefinitions/0/labels/VIP_0"),
        Holding("/b", VIP, None, "WEB:80", "/portDefinitions/0/labels/VIP_0"),
    ]
    collisions = find_collisions(holdings, reserved_ports=[80])
    assert [(c.kind, c.shown, c.app_ids) for c in collisions] == [
        (VIP, "/web:80", frozenset({"/a", "/b"})),
        (RESERVED_PORT, "80", frozenset({"/a"})),
    ]
    assert collisions[0].key == (VIP, "web:80")
    assert collisions[0].describe() == (
        "VIP /web:80 is used by /a (/portDefinitions/0/labels/VIP_0), "
        "/b (/portDefinitions/0/labels/VIP_0)"
    )


def test_every_kind_has_its_words_and_a_free_service_port_fixes_only_service_port_kinds():
    assert set(KINDS) == {SERVICE_PORT, HOST_PORT, VIP, RESERVED_PORT, LB_PORT, LB_RESERVED_PORT}
    assert all(k.title and k.subject and k.verb and k.why for k in KINDS.values())
    # lb-port: where the app binds its service port (the composer offers it only there).
    assert {SERVICE_PORT, RESERVED_PORT, LB_PORT} == FIXABLE_BY_SERVICE_PORT
