"""Use cases: each combines domain rules with the store and the gateways."""
