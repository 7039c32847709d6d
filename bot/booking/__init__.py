"""Booking sessions: propose times that suit both people, book one, remind them."""
