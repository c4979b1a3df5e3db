"""The Hydra configs, installed as the package ``sim.configs``.

pyproject.toml maps this folder to ``sim.configs`` (setuptools ``package-dir``), so a wheel
carries the YAML files as package data and Hydra finds them as ``pkg://sim.configs``. This
file marks the folder as a package, which Hydra's package lookup requires; it holds no code.
"""
