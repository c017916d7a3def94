"""Sign-in throttling rules (issue 11, item 2), as pure functions: an attacker cannot turn them into a
lock-out of the real user."""

from datetime import datetime, timedelta

from kotaku_pwa.auth.throttle import Limits, account_delay, retry_after

NOW = datetime(2026, 12, 1, 6, 0)
LIMITS = Limits()


def ago(*seconds):
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_nothing_failed_nothing_waits():
    assert retry_after([], [], [], NOW, LIMITS) is None


def test_five_failures_of_a_pair_lock_it_until_the_oldest_leaves_the_window():
    pair = ago(10, 20, 30, 40, 50)
    assert retry_after(pair, pair, pair, NOW, LIMITS) == NOW - timedelta(seconds=50) + LIMITS.window
    assert retry_after(pair[:4], pair[:4], pair[:4], NOW, LIMITS) is None


def test_a_pair_lock_ends_however_often_the_attacker_came_back():
    # Refused tries are never stored as failures, so the lock ends a window after the fifth failure.
    pair = ago(899, 898, 897, 896, 895)
    assert retry_after(pair, pair, pair, NOW, LIMITS) is not None
    later = NOW + timedelta(seconds=6)
    assert retry_after(pair, pair, pair, later, LIMITS) is None


def test_the_account_delay_doubles_and_is_capped():
    assert account_delay(9, LIMITS) == timedelta(0)
    assert account_delay(10, LIMITS) == timedelta(seconds=30)
    assert account_delay(11, LIMITS) == timedelta(seconds=60)
    assert account_delay(13, LIMITS) == timedelta(seconds=240)
    assert account_delay(60, LIMITS) == LIMITS.max_delay
    assert account_delay(10_000, LIMITS) == LIMITS.max_delay


def test_failures_from_many_addresses_slow_the_account_for_a_new_address():
    account = ago(*range(5, 15))  # ten failures, one from each of ten addresses, the last 5 s ago
    until = retry_after([], account, [], NOW, LIMITS)
    assert until == NOW - timedelta(seconds=5) + timedelta(seconds=30)
    assert retry_after([], account, [], NOW + timedelta(seconds=26), LIMITS) is None


def test_a_device_the_account_signed_in_on_skips_the_account_delay():
    account = ago(*range(5, 40))
    assert retry_after([], account, [], NOW, LIMITS) is not None
    assert retry_after([], account, [], NOW, LIMITS, known_device=True) is None


def test_a_known_device_still_meets_the_pair_lock():
    pair = ago(1, 2, 3, 4, 5)
    assert retry_after(pair, pair, pair, NOW, LIMITS, known_device=True) is not None


def test_an_address_locks_only_at_the_high_limit():
    address = ago(*range(1, LIMITS.address_failures))
    assert retry_after([], [], address, NOW, LIMITS) is None
    address = ago(*range(1, LIMITS.address_failures + 1))
    assert retry_after([], [], address, NOW, LIMITS) is not None


def test_a_low_rate_attacker_gets_few_tries_a_day():
    """One try whenever the delay allows: the tries per day stay small, and the owner is never locked
    out for longer than the longest delay."""
    failures, moment = [], NOW
    while moment < NOW + timedelta(days=1):
        until = retry_after([], failures, [], moment, LIMITS)
        if until is None:
            failures.append(moment)
            until = moment + timedelta(seconds=1)
        assert until - moment <= LIMITS.max_delay
        moment = until
    recent = [t for t in failures if t > moment - LIMITS.account_window]
    assert len(recent) < 70
