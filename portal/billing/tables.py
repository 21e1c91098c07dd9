"""Tables of the billing domain."""
