"""Community teams: the units registry, hand-off tickets, relays between residents and team
members, escalation (see the README's "Community teams")."""
