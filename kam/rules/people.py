"""The relationship map's rules: how often to be in touch, whose influence is high, how
each communication style wants to be dealt with, and what counts as poor coverage."""

from __future__ import annotations

from db.enums import BuyingRole, CommunicationStyle

#: How often to be in touch with a person, by their buying role (days).
CADENCE_DAYS: dict[BuyingRole, int] = {
    BuyingRole.DECISION_MAKER: 30,
    BuyingRole.INFLUENCER: 60,
    BuyingRole.USER: 90,
    BuyingRole.GATEKEEPER: 90,
}
#: The cadence of a person whose buying role is not known.
DEFAULT_CADENCE_DAYS = 90

#: Influence (1-5) from which a person's influence is high.
HIGH_INFLUENCE = 4

#: How each communication style wants to be dealt with (shown wherever a person is).
STYLE_GUIDANCE: dict[CommunicationStyle, str] = {
    CommunicationStyle.DEMANDING: "wants results now: be brief and decisive",
    CommunicationStyle.INFLUENCING: "wants recognition: involve them",
    CommunicationStyle.STEADY: "wants assurance: no surprises",
    CommunicationStyle.COMPLIANT: "wants detail: follow the rules",
}

#: An account is single-threaded when more than this share of the interactions of the
#: last SINGLE_THREAD_DAYS days were with one person, or only one person was met.
SINGLE_THREAD_SHARE = 0.8
SINGLE_THREAD_DAYS = 180

#: The people counted as met recently, for objectives and the sheet (days).
MET_RECENTLY_DAYS = 90

#: The written coverage rule, shown beside its findings.
COVERAGE_RULE = """\
- a decision maker with no owner on our side, or not in touch within their cadence;
- a blocker of high influence (4-5) that no open plan action addresses;
- a single-threaded account: over 80 % of the last 180 days' interactions with one
  person, or only one person met;
- an executive sponsor not paired with a counterpart at the customer."""


def cadence(role: BuyingRole | str | None, override: int | None) -> int:
    """Days between contacts for a person: their own cadence, else their role's."""
    if override:
        return override
    if role is None:
        return DEFAULT_CADENCE_DAYS
    return CADENCE_DAYS[BuyingRole(role)]


def guidance(style: CommunicationStyle | str | None) -> str | None:
    """How to deal with a person of this communication style."""
    return STYLE_GUIDANCE[CommunicationStyle(style)] if style else None
