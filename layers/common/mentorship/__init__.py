"""Shared code of the mentor booking backend, shipped as the CommonLayer.

Rings, each importing only inward:
  domain   -- pure rules (time, slots, pricing, levels); takes `now`, never reads the clock
  store    -- pynamodb models, queries and conditional writes
  gateways -- SES, push channel, payment, behind small interfaces
  services -- use cases combining the two
  api      -- what both HTTP functions share at the edge (error map, auth, schemas, cursors)
"""
