"""Mentoring flow: requests, offers to mentors one at a time, accept/decline/expiry, cancel.

Knows nothing of Slack: it talks to people through the `Notifier` port and schedules offer
expiries through the `OfferTimer` port.
"""
