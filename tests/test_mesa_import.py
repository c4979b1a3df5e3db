"""Mesa imported without what a run never uses (sim/mesa_import.py, issue 25): a run's
process does not load SciPy's spatial module, networkx or asyncio (which Mesa's batch
runner loads through tqdm), and each still works, unchanged, the moment something uses it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str) -> str:
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def test_a_run_loads_neither_scipy_spatial_nor_networkx_nor_asyncio() -> None:
    out = _python(
        "import sys\n"
        "import sim\n"
        "sim.run({'scale': 0.01, 'seed': 2, 'years': 2, 'warmup_years': 1})\n"
        "print('mesa' in sys.modules, 'scipy.spatial' in sys.modules,\n"
        "      'networkx.classes' in sys.modules, 'asyncio.events' in sys.modules)\n")
    assert out.split() == ["True", "False", "False", "False"], out


def test_the_deferred_modules_work_when_used() -> None:
    out = _python(
        "import logging, random\n"
        "from sim.mesa_import import mesa\n"
        "import networkx as nx\n"
        "from mesa.experimental.continuous_space import ContinuousSpace\n"
        "from mesa.space import NetworkGrid\n"
        "g = nx.complete_graph(4)\n"
        "print(g.number_of_edges(), type(NetworkGrid(g)).__name__)\n"
        "space = ContinuousSpace([[0, 1], [0, 1]], random=random.Random(1))\n"
        "print(type(space).__name__, space.size.tolist())\n"
        "import asyncio\n"
        "from tqdm.asyncio import tqdm_asyncio\n"
        "async def count():\n"
        "    return [i async for i in tqdm_asyncio(range(3), disable=True)]\n"
        "print(asyncio.run(count()))\n")
    first, second, third = out.splitlines()
    assert first == "6 NetworkGrid"
    assert second == "ContinuousSpace [1, 1]"
    assert third == "[0, 1, 2]"


def test_a_deferred_modules_own_names_load_it_too() -> None:
    """``networkx.__version__`` or ``from networkx import *`` before any other use: the
    module's code runs for those names as for any other."""
    out = _python(
        "from sim.mesa_import import mesa\n"
        "import networkx\n"
        "print(networkx.__version__.count('.') >= 1)\n"
        "ns = {}\n"
        "exec('from mesa.experimental.continuous_space import *', ns)\n"
        "print('ContinuousSpace' in ns)\n")
    assert out.split() == ["True", "True"], out


def test_mesa_logs_its_model_class_name_as_before() -> None:
    """The source context left out while Mesa is imported is not what Mesa's logger uses:
    the class name in its debug messages is still the calling class."""
    res = subprocess.run([sys.executable, "-c",
                          "import logging\nfrom sim.mesa_import import mesa\n"
                          "h = logging.StreamHandler(); h.setLevel(logging.DEBUG)\n"
                          "lg = logging.getLogger('MESA.mesa.model'); lg.setLevel(logging.DEBUG)\n"
                          "lg.addHandler(h)\nmesa.Model(seed=1)\n"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "calling Model.__init__" in res.stderr, res.stderr


def test_every_module_imports_mesa_through_sim_mesa_import() -> None:
    """Else the first to import Mesa would load all of it (the browser page's modules
    import Mesa's visualisation, which needs all of Mesa anyway)."""
    direct = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ("sim/mesa_import.py", "sim/app.py") or rel.startswith("sim/viz/"):
            continue
        if re.search(r"^\s*(import mesa\b|from mesa\b)", path.read_text(), re.M):
            direct.append(rel)
    assert direct == []
