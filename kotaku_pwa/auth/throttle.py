"""Sign-in throttling rules (pure): when the next password try for an account from an address may come.

Three limits, so that an attacker cannot turn the throttle into a lock-out of the real user:
- hard per (account, address): a few wrong passwords from one address stop that address guessing that
  account for a while;
- soft per account, from any address: past a number of failures each further try must wait a delay that
  doubles with every failure, so guessing from many addresses slows to a crawl; a try refused during the
  delay is not a failure and does not extend it, and a device the account signed in on before is exempt,
  so the owner still gets in;
- per address only at a high limit: field phones share carrier-grade NAT addresses.
"""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Limits:
    pair_failures: int = 5  # per (account, address) within `window`
    account_failures: int = 10  # per account within `account_window`, before the delays begin
    address_failures: int = 100  # per address within `window`
    window: timedelta = timedelta(minutes=15)
    account_window: timedelta = timedelta(hours=24)
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=30)


def retry_after(pair, account, address, now, limits, known_device=False):
    """The time before which this try is refused, or None when it may go ahead.

    `pair`, `account` and `address` are the times of the failed tries (any order) of this account from
    this address, of this account from anywhere, and from this address for any account.
    """
    waits = [
        _hard(pair, now, limits.window, limits.pair_failures),
        _hard(address, now, limits.window, limits.address_failures),
    ]
    if not known_device:
        waits.append(_soft(account, now, limits))
    waits = [w for w in waits if w is not None and w > now]
    return max(waits) if waits else None


def account_delay(failures, limits):
    """How long after the latest failure the next try waits, given the account's failures in the window."""
    extra = failures - limits.account_failures
    if extra < 0:
        return timedelta(0)
    return min(limits.first_delay * 2 ** min(extra, 30), limits.max_delay)


def _hard(times, now, window, limit):
    """Locked until the oldest of the last `limit` failures leaves the window."""
    recent = sorted(t for t in times if t > now - window)
    if len(recent) < limit:
        return None
    return recent[-limit] + window


def _soft(times, now, limits):
    recent = [t for t in times if t > now - limits.account_window]
    if len(recent) < limits.account_failures:
        return None
    return max(recent) + account_delay(len(recent), limits)
