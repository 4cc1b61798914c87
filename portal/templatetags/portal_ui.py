"""Small pieces of the portal's phone-first shell: the overflow menu of a row's secondary actions."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_block_tag
def overflow_menu(content, label="More actions"):
    """The row's secondary actions behind one "More" button: a <details> menu, usable without JS.

    `label` completes the button's accessible name for screen readers ("More actions for Tacos"),
    so every row's button says whose actions it opens. The body holds the links and forms.
    """
    return format_html(
        '<details class="overflow" data-overflow>'
        '<summary class="button button--small overflow__toggle">'
        'More<span class="visually-hidden"> ({})</span>'
        "</summary>"
        '<div class="overflow__menu">{}</div>'
        "</details>",
        label,
        content,
    )
