from django import template

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
