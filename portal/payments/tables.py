"""Tables of the payments domain."""
