"""How the composition root puts announcements and their delivery together."""

from __future__ import annotations

from collections.abc import Callable

from bot.announcements.service import Announcements, ViewerOf, Wake
from bot.clock import Clock
from bot.config import Settings
from bot.conversation import ConversationService, TurnHook
from bot.engine.catalog import Catalog
from bot.outbox import Outbox
from bot.outreach.delivery import SharedPace, rules_of, wrap_platforms
from bot.outreach.hook import OutreachHook
from bot.outreach.rules import Rules
from bot.storage.rate_counters import RateCounterStore
from bot.storage.runner import Transactions
from bot.teams.registry import Registry

TELEGRAM_PACE_KEY = "outreach-pace:telegram"


def outreach_rules(settings: Settings) -> Rules:
    return rules_of(settings.announce_per_day, settings.announce_per_week)


def proactive_delivery(outbox: Outbox, transactions: Transactions, clock: Clock,
                       rules: Rules) -> None:
    """Every platform sender registered from now on gets its proactive twin."""
    pace = SharedPace(RateCounterStore(transactions), TELEGRAM_PACE_KEY,
                      rules.telegram_per_second)
    outbox.on_register.append(wrap_platforms(outbox.register, transactions, clock, rules,
                                             pace))


def consent_hook(inner: TurnHook | None, registry: Registry, clock: Clock, rules: Rules
                 ) -> OutreachHook:
    return OutreachHook(inner, lambda unit: registry.directory.places(unit), clock, rules)


def build_announcements(settings: Settings, transactions: Transactions, registry: Registry,
                        clock: Clock, catalog: Callable[[], Catalog], viewer_of: ViewerOf,
                        service: ConversationService, wake: Wake, rules: Rules
                        ) -> Announcements:
    if isinstance(service.hook, OutreachHook):
        service.extensions.append(service.hook)
    return Announcements(transactions, registry, clock, catalog, viewer_of, rules=rules,
                         unit_per_day=settings.announce_unit_per_day,
                         unit_per_week=settings.announce_unit_per_week, wake=wake)
