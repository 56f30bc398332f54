"""How sign-in failures slow the next attempts, so guessing is slow and nobody can lock an
owner out.

Three counters, each forgotten after :data:`FORGET` without a failure:

- per **pair** (this login from this address): the owner mistyping, or one guesser;
- per **address** (every login from it): one guesser trying many logins;
- per **login** (from every address): many guessers on one login. This one does not hold
  back the account's *usual addresses* (where it signed in within :data:`USUAL_FOR`), so
  the owner at the commune office still signs in while strangers are guessing.

Past a few free failures each counter waits a time that doubles with every further failure
(30 seconds, 1, 2, 4 … minutes, at most :data:`LONGEST`).
"""

from __future__ import annotations

import datetime as dt
import hashlib

FORGET = dt.timedelta(hours=1)
USUAL_FOR = dt.timedelta(days=90)
LONGEST = dt.timedelta(hours=1)
FIRST_WAIT = dt.timedelta(seconds=30)
# failures allowed before the first wait: a commune hall's address is shared by a whole team
FREE = {"pair": 4, "address": 10, "login": 10}


def address_hash(address: str) -> str:
    return hashlib.sha256(f"signin-address:{address}".encode()).hexdigest()


def keys(login: str, address: str) -> dict[str, str]:
    hashed = address_hash(address)
    return {"pair": f"pair:{login}:{hashed}", "address": f"address:{hashed}",
            "login": f"login:{login}"}


def wait_after(key: str, failures: int) -> dt.timedelta | None:
    """How long ``key`` is refused after its ``failures``-th failure (None: not at all)."""
    over = failures - FREE[key.split(":", 1)[0]]
    if over <= 0:
        return None
    wait: dt.timedelta = FIRST_WAIT * 2 ** min(over - 1, 16)
    return min(wait, LONGEST)
