"""BookingFunction: holds, payment, the session lifecycle, reviews and the inbox."""
