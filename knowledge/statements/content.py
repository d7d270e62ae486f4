"""Joint statements, declared once (see :mod:`network.content`); registered from the app's ``ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from knowledge.statements.search_indexes import STATEMENT_INDEX
from network.content import ContentType, register
from network.dashboard import selectors as dashboard


def register_types() -> None:
    register(
        ContentType(
            kind="statement",
            model="statements.Statement",
            label=_("Joint statements"),
            search_type="statement",
            search_index=STATEMENT_INDEX,
            dashboard=(
                dashboard.open_for_signature,
                dashboard.statement_signatures,
            ),
            dashboard_order=10,
            outcome_lookups=("slug", "pk"),
            notification_kinds=("statement.signed", "statement.withdrawn", "statement.opened"),
            # the demand figures: undisclosed volumes only to issuers and the signing organisation
            guarded_related=(("statements.Signature", "volumes"),),
        )
    )
