"""Meters (приборы учёта) and readings (показания): submission window, plausibility, verification dates."""
