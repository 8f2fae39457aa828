from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portplanner.marathon.model import vip_address as _vip_address

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    """``{{ field_errors|get_item:field.auto_id }}``: look a key up in a dict."""
    return mapping.get(key, ())


@register.filter
def vip_address(value: str) -> str:
    """``{{ port.vip|vip_address }}``: the address a VIP label value is reached at."""
    return _vip_address(value)


@register.filter
def breakable(value: str) -> str:
    """``{{ address|breakable }}``: escaped, with line-break chances after each ``.`` and ``/``,
    so that a VIP or its l4lb address wraps between its parts in a narrow table cell."""
    text = str(escape(value))
    return mark_safe(text.replace(".", ".<wbr>").replace("/", "/<wbr>"))  # escaped above


@register.filter
def control(field, errors):
    """``{{ field|control:errors }}``: the field's widget, marked ``aria-invalid`` and described
    by its error message (and its help text) when ``errors`` is not empty. The page's script does
    the same after each live preview."""
    if not errors:
        return field.as_widget()
    described = [f"{field.auto_id}_helptext"] if field.help_text else []
    described.append(f"{field.auto_id}_error")
    return field.as_widget(attrs={"aria-invalid": "true", "aria-describedby": " ".join(described)})


@register.filter
def join_list(value):
    """``{{ value|join_list }}``: a list (a port's VIPs) as "a, b"; anything else as it is."""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "none"
    return value


@register.filter
def within(resolution, collision) -> bool:
    """``{% if resolution|within:collision %}``: only the request's own apps collide."""
    return resolution.within(collision)
