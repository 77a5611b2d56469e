"""Lower bounds and aggregate, identity-free models of the roster: shift design."""
