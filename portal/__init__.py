"""Resident portal of a housing management company (управляющая компания, УК)."""
