"""Housing registry: complexes (ЖК), houses, entrances, risers (стояки), premises, owners and their shares,
personal accounts (лицевые счета)."""
