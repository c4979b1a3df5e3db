"""The run configuration and its validation.

A :class:`ModelConfig` is a tree of plain dataclasses. :meth:`ModelConfig.from_dict` builds
one from nested dictionaries (a YAML file, a Hydra config turned into a container, or a
notebook's dict) and stops with a :class:`ConfigError` naming the field, the value and
what is allowed, before any simulation work is done, when a key is unknown, a value has
the wrong type, or a value is outside its range (the checks of :func:`sim.schema.build`),
or when a policy option or a council list names something that does not exist.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sim.param_files import from_file
from sim.parameters import PROB, Parameters, param
from sim.policies import build_policies
from sim.schema import ConfigError, build


@dataclass
@from_file("spread")
class PracticeSpread:
    """How council practice varies between councils drawn at random ("drawn" mode)."""

    size_sigma: float
    return_propensity_sigma: float
    thoroughness_mean: float
    thoroughness_concentration: float
    monitoring_months_median: float
    monitoring_months_sigma: float
    monitoring_months_max: int
    support_share_mean: float
    support_share_concentration: float
    treatment_share_mean: float
    treatment_share_concentration: float
    cost_multiplier_sigma: float


_SPREAD = PracticeSpread()  # the typical council's practice is the centre of the spread


@dataclass
class CouncilPractice:
    """One council's practice, for listed councils and named profiles.

    The defaults (the ``typical`` profile) are the centre of ``PracticeSpread``: its mean
    thoroughness, support share and treatment share, its median months kept open, and the
    median return propensity (1)."""

    return_propensity: float = param(
        1.0, label="how readily the council returns children home", unit="multiplier",
        source="see PracticeSpread.return_propensity_sigma", low=0.0, high=10.0,
        plausible=(0.3, 3.0), kind="setting",
        reason="judgement: about the 1st-99th percentile of the drawn spread (sd of log 0.6)")
    thoroughness: float = param(
        _SPREAD.thoroughness_mean, label="thoroughness of assessment before a return", unit=PROB,
        source="see PracticeSpread.thoroughness_mean", low=0.0, high=1.0,
        plausible=(0.05, 0.9), kind="setting",
        reason="judgement: about the 5th-95th percentile of the drawn beta")
    monitoring_months: int = param(
        round(_SPREAD.monitoring_months_median), label="months a case is kept open after a "
        "return", unit="months",
        source="see PracticeSpread.monitoring_months_median", low=0, high=120,
        plausible=(2, 36), kind="setting",
        reason="judgement: Farmer 2014 (B), cases closed within months to years")
    support_share: float = param(
        _SPREAD.support_share_mean, label="share of returning families offered support",
        unit=PROB,
        source="see PracticeSpread.support_share_mean", low=0.0, high=1.0,
        plausible=(0.2, 0.95), kind="setting",
        reason="judgement: about the 5th-95th percentile of the drawn beta")
    treatment_share: float = param(
        _SPREAD.treatment_share_mean, label="share of families with substance problems "
        "reaching treatment", unit=PROB,
        source="see PracticeSpread.treatment_share_mean", low=0.0, high=1.0,
        plausible=(0.0, 0.3), kind="setting",
        reason="judgement: NSPCC 2013 (C) about 5%; a supportive council up to 30%")
    cost_multiplier: float = param(
        1.0, label="council's unit costs relative to England", unit="multiplier",
        source="see PracticeSpread.cost_multiplier_sigma", low=0.1, high=5.0,
        plausible=(0.7, 1.4), kind="setting",
        reason="judgement: NAO 2014 (A) variation in unit costs between councils")


#: Built-in named practice profiles a listed council can refer to with ``profile: NAME``.
PROFILES: dict[str, CouncilPractice] = {
    "typical": CouncilPractice(),
    "quick_return": CouncilPractice(return_propensity=2.0, thoroughness=0.15,
                                    monitoring_months=4, support_share=0.45),
    "cautious": CouncilPractice(return_propensity=0.5, thoroughness=0.75,
                                monitoring_months=18, support_share=0.75),
    "supportive": CouncilPractice(return_propensity=1.0, thoroughness=0.6,
                                  monitoring_months=24, support_share=0.9,
                                  treatment_share=0.25),
}


@dataclass
@from_file("listed_council")
class ListedCouncil:
    """A council given one by one in the config ("listed" mode)."""

    name: str = "council"
    size_share: float
    profile: str = "typical"
    practice: dict[str, Any] = field(default_factory=dict)


@dataclass
@from_file("councils")
class CouncilsConfig:
    mode: str = "drawn"
    n: int
    spread: PracticeSpread = field(default_factory=PracticeSpread)
    listed: list[ListedCouncil] = field(default_factory=list)
    #: ``from_data``: the council's SSDA903 files (a folder, a file or a glob pattern)
    path: str | None = None
    #: ``from_data``: the ``fit.json`` of ``revolving-door-data fit`` (or its folder)
    fit: str | None = None
    #: ``from_data``: the council to take from a regional file (its ``LA`` code)
    council: str | None = None
    #: ``from_data``: the largest share of the files' episode rows that the data-quality
    #: checks may leave out before the run is refused (docs/ssda903.md)
    max_left_out: float

    MODES = ("drawn", "listed", "from_data")
    #: keys used only by mode ``from_data``
    DATA_KEYS = ("path", "fit", "council")

    @property
    def count(self) -> int:
        """How many councils a run has: the listed ones, one from data, or ``n`` drawn."""
        if self.mode == "from_data":
            return 1
        return len(self.listed) if self.mode == "listed" else int(self.n)


@dataclass
@from_file("run")
class ModelConfig:
    """Everything one run needs. Build with :meth:`from_dict` to validate."""

    seed: int
    scale: float
    years: int
    warmup_years: int
    price_year: int
    start_year: int
    councils: CouncilsConfig = field(default_factory=CouncilsConfig)
    params: Parameters = field(default_factory=Parameters)
    policy: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "ModelConfig":
        cfg = build(cls, data or {}, "")
        _check_councils(cfg.councils)
        _check_placement(cfg.params.placement)
        if cfg.councils.mode == "from_data":
            _from_data(cfg)

        build_policies(cfg.policy)  # validates names and values now, before any work
        _check_policy_councils(cfg)
        return cfg

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def total_months(self) -> int:
        return 12 * (self.warmup_years + self.years)

    @property
    def measure_start(self) -> int:
        return 12 * self.warmup_years


def _check_placement(p: Any) -> None:
    """A move's destination shares of each age band leave foster care a share (at most 1
    in all; :mod:`sim.placements`)."""
    for band in ("under12", "12to15", "16plus"):
        names = [f"{k}_{band}" for k in ("residential", "kinship", "with_parents", "other")]
        total = sum(getattr(p, n) for n in names)
        if total > 1.0 + 1e-12:
            raise ConfigError(f"params.placement.{' + '.join(names)} = {total:.3f}; allowed: "
                              "at most 1 (foster care is the rest)")


def _check_councils(c: CouncilsConfig) -> None:
    if c.mode not in CouncilsConfig.MODES:
        raise ConfigError(f"councils.mode: unknown mode {c.mode!r}; allowed: "
                          f"{', '.join(CouncilsConfig.MODES)}")
    if c.mode != "from_data":
        for key in CouncilsConfig.DATA_KEYS:
            if getattr(c, key) is not None:
                raise ConfigError(f"councils.{key}: only used by councils.mode from_data "
                                  f"(councils=from_data), not {c.mode!r}; allowed: null")
    if c.mode == "listed":
        if not c.listed:
            raise ConfigError("councils.listed: mode 'listed' needs at least one council")
        first: dict[str, int] = {}
        for i, lc in enumerate(c.listed):
            practice_of(lc, f"councils.listed[{i}]")
            if lc.name in first:
                raise ConfigError(f"councils.listed[{i}].name: duplicate council name "
                                  f"{lc.name!r} (also councils.listed[{first[lc.name]}]); "
                                  "allowed: names used once")
            first[lc.name] = i


def council_data(c: CouncilsConfig) -> Any:
    """The council's data of a run from data (:func:`sim.ssda903.seed.council_data`, read
    once while the files are unchanged), or :class:`ConfigError` naming the field."""
    # only a run from a council's data reads SSDA903 (pandera and the reader: about 0.5 s
    # of every run's start-up otherwise; issue 25)
    from sim.ssda903.seed import DataError, council_data as read_council_data

    try:
        return read_council_data(c.path, c.fit, c.council)
    except DataError as err:
        raise ConfigError(str(err)) from None


def _from_data(cfg: "ModelConfig") -> None:
    """A run from a council's data starts at its extract date with its children: no
    warm-up, ``start_year`` the extract date's year, and ``scale`` the council's size (from
    the fit, or from the entries measured in the data), whatever the config said."""
    from sim.ssda903.seed import DataError, check_left_out  # as in council_data

    data = council_data(cfg.councils)
    try:
        check_left_out(data, cfg.councils.max_left_out)
    except DataError as err:
        raise ConfigError(str(err)) from None
    scale = data.scale(cfg.params.entry.children_per_year)
    lo, hi = _field_of(ModelConfig, "scale").metadata["range"]
    if not lo <= scale <= hi:
        where = "councils.fit" if data.fit else "councils.path"
        raise ConfigError(f"{where}: the council's size relative to England comes to "
                          f"{scale:.6g} (scale); allowed {lo} to {hi}: check the entry "
                          "numbers in the files or the fit")
    data_practice(cfg.councils)  # the fit's practice within the allowed ranges
    cfg.scale = float(scale)
    cfg.warmup_years = 0
    cfg.start_year = int(data.extract_date.year)


def check_ssda903_output(cfg: "ModelConfig", ssda903: bool) -> None:
    """A run from a council's data may not write its children as SSDA903: they would be
    the council's own children in care, child by child, with their start dates and ages
    (personal data); every other output of such a run is aggregate."""
    if ssda903 and cfg.councils.mode == "from_data":
        raise ConfigError("run.ssda903: a run from a council's data (councils=from_data) "
                          "would write the council's own children as child-level records "
                          "(personal data); allowed: false with councils=from_data")


def data_practice(c: CouncilsConfig) -> CouncilPractice:
    """The practice of the council of a run from data: the typical council's, with the
    fit's return propensity and thoroughness when a fit is given (and its months a case
    stays open after a return when ``fit.json`` has ``monitoring_months``)."""
    base = dataclasses.asdict(PROFILES["typical"])
    base.update(council_data(c).practice())
    return build(CouncilPractice, base, "councils.fit")


def _field_of(cls: type, name: str) -> dataclasses.Field:  # type: ignore[type-arg]
    return next(f for f in dataclasses.fields(cls) if f.name == name)


def council_names(c: CouncilsConfig) -> list[str]:
    """The councils' names, in index order: the listed names, the data's council, or
    ``C001``, ``C002``, ... for drawn councils (the names
    :class:`sim.model.RevolvingDoorModel` gives them)."""
    if c.mode == "listed":
        return [lc.name for lc in c.listed]
    if c.mode == "from_data":
        return [council_data(c).name]
    return [f"C{i + 1:03d}" for i in range(int(c.n))]


def _check_policy_councils(cfg: "ModelConfig") -> None:
    """Each policy's ``councils`` list names councils of this run (checked again, the same
    way, when a model binds its policies)."""
    names = council_names(cfg.councils)
    known = set(names)
    for lever, node in cfg.policy.items():
        listed = node.get("councils") if isinstance(node, dict) else None
        if listed is None:
            continue
        path = f"policy.{lever}.councils"
        if not isinstance(listed, (list, tuple)):
            raise ConfigError(f"{path}: expected a list of council names or indices, got "
                              f"{listed!r}")
        for c in listed:
            ok = (c in known if isinstance(c, str) else
                  isinstance(c, int) and not isinstance(c, bool) and 0 <= c < len(names))
            if not ok:
                shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
                raise ConfigError(f"{path}: unknown council {c!r}; allowed: council names "
                                  f"({shown}) or indices 0 to {len(names) - 1}")


def practice_of(lc: ListedCouncil, path: str = "council") -> CouncilPractice:
    """The practice of a listed council: its profile, with its own overrides on top."""
    if lc.profile not in PROFILES:
        raise ConfigError(f"{path}.profile: unknown council profile {lc.profile!r}; allowed: "
                          f"{', '.join(sorted(PROFILES))}")
    base = dataclasses.asdict(PROFILES[lc.profile])
    base.update(lc.practice)
    return build(CouncilPractice, base, f"{path}.practice")
