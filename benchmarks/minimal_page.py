"""A one-button solara page: the floor solara itself imposes on a page load.

Served by ``profile_page.py --variant minimal=minimal_page`` exactly as the dashboard
is; with ``MINIMAL_PLAIN_LAYOUT=1`` the page is not wrapped in solara's ``AppLayout``.
"""

import os

import solara


@solara.component
def Page():
    """One button, as the dashboard's Step."""
    solara.Button("Step")


if os.environ.get("MINIMAL_PLAIN_LAYOUT"):

    @solara.component
    def Layout(children=()):  # noqa: N802 - solara's name for a page's frame
        """The page alone."""
        solara.Column(children=children)
