"""kam's footer: Textual's, with `? Keys` and `q Quit` first, so that a narrow terminal
(80 columns) cuts the screen's less important keys, never these two."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: The app's actions shown first, in this order.
FIRST = ("help", "quit")


class KamFooter(Footer):
    """The footer with the keys to every key, and to leave, first."""

    def compose(self) -> ComposeResult:
        """Help and quit, then Textual's footer without them."""
        if not self._bindings_ready:
            return
        active: dict[str, ActiveBinding] = {}
        for bound in self.screen.active_bindings.values():  # the first shown key (?, not F1)
            if bound.binding.show:
                active.setdefault(bound.binding.action, bound)
        for action in FIRST:
            found = active.get(action)
            if found is None:
                continue
            binding = found.binding
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not found.enabled,
                tooltip=found.tooltip,
            ).data_bind(compact=Footer.compact)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action in FIRST:
                continue  # shown first already
            yield widget
