from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    """``{{ field_errors|get_item:field.auto_id }}``: look a key up in a dict."""
    return mapping.get(key, ())
