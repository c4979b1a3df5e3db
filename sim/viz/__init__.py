"""The educators' browser view (issue 7): a small model that remembers what the page shows,
the charts drawn from it, and the SolaraViz page in :mod:`sim.app`."""
