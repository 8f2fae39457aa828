"""The composer's forms. They bind and render what the user types; they do not judge it.

Fields are text on purpose: whatever is typed reaches the engine as written, and the engine's
schema answers with a message and a JSON pointer (``/container/portMappings/0/hostPort``) that the
page maps back onto the field. One validation path, the same for the form, pasted JSON and imports.
"""

from __future__ import annotations

from django import forms

from portplanner.marathon.model import BRIDGE, CONTAINER, HOST

NETWORK_MODES = [
    (HOST, "Host"),
    (BRIDGE, "Bridge (container/bridge)"),
    (CONTAINER, "Container networks"),
]
CONTAINER_TYPES = [("", "None (Mesos command)"), ("MESOS", "MESOS"), ("DOCKER", "DOCKER")]
PROTOCOLS = [("tcp", "tcp"), ("udp", "udp"), ("udp,tcp", "udp + tcp")]
# HAPROXY_{n}_MODE; blank leaves it to marathon-lb (http with a vhost or an HTTP health check).
LB_MODES = [("", "auto"), ("tcp", "tcp"), ("http", "http")]
HOST_PORT_MODES = [
    ("random", "Random (assigned at launch)"),
    ("fixed", "Fixed"),
    ("none", "Not exposed on the host"),
]


def _port_input(placeholder: str = "") -> forms.TextInput:
    return forms.TextInput(
        attrs={"inputmode": "numeric", "placeholder": placeholder, "size": 6, "autocomplete": "off"}
    )


class AppForm(forms.Form):
    app_id = forms.CharField(
        label="App id",
        required=False,
        help_text="A Marathon path such as /shop/web.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    cmd = forms.CharField(
        label="Command (cmd)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="Run by a shell, so $PORT0 and friends are expanded.",
    )
    args = forms.CharField(
        label="Arguments (args)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="One argument per line. Not run by a shell: $PORT0 stays literal.",
    )
    container_type = forms.ChoiceField(label="Container", choices=CONTAINER_TYPES, required=False)
    image = forms.CharField(
        label="Docker image",
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    network_mode = forms.ChoiceField(
        label="Network mode", choices=NETWORK_MODES, widget=forms.RadioSelect, initial=HOST
    )
    network_names = forms.CharField(
        label="Container networks",
        required=False,
        help_text="One or more network names, comma-separated, e.g. dcos.",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    require_ports = forms.BooleanField(
        label="requirePorts",
        required=False,
        help_text="Host mode only. Off: each port number is a service port and the host port is "
        "random. On: the number is also the host port, and the task waits for an agent that "
        "offers it.",
    )
    # marathon-lb's app labels (marathon/lb.py); its per-port ones are fields of each port row.
    lb_group = forms.CharField(
        label="marathon-lb groups (HAPROXY_GROUP)",
        required=False,
        help_text="The marathon-lb groups that serve every port, comma-separated without spaces, "
        "e.g. external. None: only a marathon-lb run with --group '*' serves them.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    lb_alt_port = forms.CharField(
        label="Blue/green alternate port (HAPROXY_DEPLOYMENT_ALT_PORT)",
        required=False,
        help_text="zdd.py moves the first service port here and back on each deploy; no other "
        "app may hold it.",
        widget=_port_input(),
    )
    # How many tasks, where, and how big: with fixed host ports each task needs an agent of its
    # own that offers them.
    instances = forms.CharField(
        label="Instances",
        required=False,
        help_text="Tasks to run. Blank: Marathon's default, 1.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "autocomplete": "off"}),
    )
    cpus = forms.CharField(
        label="CPUs (cpus)",
        required=False,
        help_text="Blank: Marathon's default, 1.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6, "autocomplete": "off"}),
    )
    mem = forms.CharField(
        label="Memory, MiB (mem)",
        required=False,
        help_text="Blank: Marathon's default, 128.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8, "autocomplete": "off"}),
    )
    constraints = forms.CharField(
        label="Constraints",
        required=False,
        help_text="One per line, field:OPERATOR or field:OPERATOR:value, e.g. hostname:UNIQUE "
        "(one task per agent) or rack_id:GROUP_BY:3.",
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    # The loaded app, canonical: every field the form does not model is kept from here.
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class PortForm(forms.Form):
    """One port: a port definition in host mode, a port mapping otherwise."""

    name = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"size": 10, "spellcheck": "false", "autocomplete": "off"}),
    )
    protocol = forms.ChoiceField(choices=PROTOCOLS, initial="tcp")
    container_port = forms.CharField(
        label="Container port",
        required=False,
        initial="0",
        widget=_port_input("0"),
    )
    host_port_mode = forms.ChoiceField(label="Host port", choices=HOST_PORT_MODES, initial="random")
    host_port = forms.CharField(label="Fixed host port", required=False, widget=_port_input())
    service_port = forms.CharField(
        label="Service port",
        required=False,
        widget=_port_input("auto"),
    )
    vip = forms.CharField(
        label="VIP",
        required=False,
        widget=forms.TextInput(attrs={"size": 14, "spellcheck": "false", "autocomplete": "off"}),
    )
    labels = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 1, "cols": 18, "spellcheck": "false"}),
    )
    network_names = forms.CharField(
        label="networkNames",
        required=False,
        widget=forms.TextInput(attrs={"size": 10, "spellcheck": "false"}),
    )
    # marathon-lb's HAPROXY_{n}_* app labels for this port (n: the row's index), as typed.
    lb_group = forms.CharField(
        label="LB groups",
        required=False,
        widget=forms.TextInput(attrs={"size": 10, "spellcheck": "false", "autocomplete": "off"}),
    )
    lb_vhost = forms.CharField(
        label="LB vhost",
        required=False,
        widget=forms.TextInput(attrs={"size": 14, "spellcheck": "false", "autocomplete": "off"}),
    )
    lb_port = forms.CharField(label="LB bind port", required=False, widget=_port_input("service"))
    lb_mode = forms.ChoiceField(label="LB mode", choices=LB_MODES, required=False)
    # The port's other HAPROXY_{n}_* labels, by suffix (JSON), renumbered with the row.
    lb_extra = forms.CharField(widget=forms.HiddenInput, required=False)
    # The label key the VIP came from, so that an existing VIP_3 is not renamed.
    vip_label = forms.CharField(widget=forms.HiddenInput, required=False)
    # Keys of this port the form does not model, kept as they were (JSON).
    extra = forms.CharField(widget=forms.HiddenInput, required=False)


class EnvForm(forms.Form):
    name = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"spellcheck": "false", "size": 16})
    )
    value = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"spellcheck": "false", "size": 28})
    )


# HealthCheck.protocol (RAML/healthCheck.raml); blank leaves Marathon's default, HTTP.
HEALTH_PROTOCOLS = [
    ("", "HTTP (default)"),
    ("HTTP", "HTTP"),
    ("HTTPS", "HTTPS"),
    ("TCP", "TCP"),
    ("MESOS_HTTP", "MESOS_HTTP"),
    ("MESOS_HTTPS", "MESOS_HTTPS"),
    ("MESOS_TCP", "MESOS_TCP"),
    ("COMMAND", "COMMAND"),
]


class HealthCheckForm(forms.Form):
    """One health check: what it probes. Its other keys (path, intervals...) ride in ``extra``."""

    protocol = forms.ChoiceField(choices=HEALTH_PROTOCOLS, required=False)
    port_index = forms.CharField(
        label="portIndex",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "autocomplete": "off"}),
    )
    port = forms.CharField(
        label="port",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "autocomplete": "off"}),
    )
    extra = forms.CharField(widget=forms.HiddenInput, required=False)


class ReadinessCheckForm(forms.Form):
    port_name = forms.CharField(
        label="portName",
        required=False,
        widget=forms.TextInput(attrs={"size": 12, "spellcheck": "false", "autocomplete": "off"}),
    )
    extra = forms.CharField(widget=forms.HiddenInput, required=False)


PortFormSet = forms.formset_factory(PortForm, extra=0)
HealthCheckFormSet = forms.formset_factory(HealthCheckForm, extra=0)
ReadinessCheckFormSet = forms.formset_factory(ReadinessCheckForm, extra=0)
EnvFormSet = forms.formset_factory(EnvForm, extra=0)
