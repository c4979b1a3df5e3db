"""Experiments and sweeps: from the runs of a Hydra multirun to one table, effects and figures.

* :mod:`sim.sweep.jobs` - which jobs a sweep is made of, and which are complete, failed or
  missing (from the sweep's own ``multirun.yaml``, so a killed sweep can still be read);
* :mod:`sim.sweep.aggregate` - ``sweep.csv`` (one row a run) and ``effects.csv`` (each arm
  against the experiment's status-quo arm on the same seeds, with 95% intervals);
* :mod:`sim.sweep.economics` - the false-economy quantities: spend, savings, net cost,
  return per pound and the break-even fall in failed returns;
* :mod:`sim.sweep.councils` - the council-variation tables (variance decomposition, and the
  numbers its page quotes);
* :mod:`sim.sweep.figures` - the experiments' figures (seaborn, PNG and SVG);
* :mod:`sim.sweep.report` - ``revolving-door-report DIR``: all of the above for a folder;
* :mod:`sim.sweep.callback` - the Hydra callback that runs the report when a multirun ends
  and prints the sweep's progress as jobs finish;
"""
