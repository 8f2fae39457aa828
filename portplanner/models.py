# No models yet. They will store what the engine (portplanner.marathon) produced: the normalized
# app JSON plus a denormalized table of port allocations for indexed collision queries.
