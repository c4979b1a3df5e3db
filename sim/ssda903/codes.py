"""SSDA903 code lists, and how the model's categories map to and from them.

The code lists are those of the DfE's SSDA903 return (children looked after), as kept in two
open references by Social Finance: the schema of ``liia-tools``
(``liiatools/ssda903_pipeline/spec/SSDA903_schema_2016.yml`` and ``..._2017.yml``; the 2022
and 2024 diffs change no episode or header code) and the current rules of its LAC data
validator (rule 149 for ``REC``, rule 146 for ``PLACE``). They agree on every episode code
except the special-guardianship endings: ``E43``/``E44`` in the 2016-17 schema were replaced
by ``E45``-``E48``. The collection year of that switch is not verified here, so both sets are
accepted in every year (:data:`REC_BY_ERA` says which list each comes from).

Everything the measurement depends on is in the tables below, one table a concept, so that
a change (for example a new entry-reason group in the model) is one edit:

* :data:`RETURN_HOME_REC`: endings that count as a return home (``E4A`` returned home to
  parents or other person with parental responsibility as part of the care plan, ``E4B``
  not as part of the care plan).
* :data:`NEW_PERIOD_RNE`: ``S``, the start of a new period of care.
* :data:`CIN_GROUP`: category of need to the model's entry-reason group.
"""

from __future__ import annotations

from sim.agents.child import EntryReason, ExitKind, Placement

#: Reason for new episode.
RNE: dict[str, str] = {
    "S": "started to be looked after (a new period of care)",
    "L": "change of legal status only",
    "P": "change of placement and carer(s) only",
    "T": "change of both legal status and placement and carer(s)",
    "B": "change of placement, carer(s) and legal status at the same time as a change of "
         "placement",
    "U": "change of legal status and placement, carer(s) not changed",
}
NEW_PERIOD_RNE = "S"

#: Legal status.
LS: dict[str, str] = {
    "C1": "interim care order", "C2": "full care order",
    "D1": "freeing order granted", "E1": "placement order granted",
    "V2": "single period of accommodation under section 20",
    "V3": "accommodated under an agreed series of short-term breaks (individual episodes)",
    "V4": "accommodated under an agreed series of short-term breaks (multiple episodes)",
    "L1": "under police protection", "L2": "emergency protection order",
    "L3": "child assessment order",
    "J1": "remanded to local authority accommodation or youth detention",
    "J2": "placed in local authority accommodation under PACE",
    "J3": "sentenced to a supervision order with residence requirement",
}
#: Legal statuses that are a care order (interim or full) or an order that follows one.
CARE_ORDER_LS = frozenset({"C1", "C2", "D1", "E1"})

#: Category of need.
CIN: dict[str, str] = {
    "N1": "abuse or neglect", "N2": "child's disability",
    "N3": "parental illness or disability", "N4": "family in acute stress",
    "N5": "family dysfunction", "N6": "socially unacceptable behaviour",
    "N7": "low income", "N8": "absent parenting",
}

#: Category of need to the model's entry-reason group (``sim.metrics.CURVE_GROUPS``).
#: SSDA903 has one code for abuse or neglect, so the model's ``neglect`` group (and the
#: metrics on it) cannot be measured from SSDA903.
CIN_GROUP: dict[str, str] = {
    "N1": "abuse_neglect", "N2": "other", "N3": "other", "N4": "other", "N5": "other",
    "N6": "other", "N7": "other", "N8": "other",
}

#: Placement type.
PLACE: dict[str, str] = {
    "A3": "placed for adoption with consent with current foster carer(s)",
    "A4": "placed for adoption with consent not with current foster carer(s)",
    "A5": "placed for adoption with placement order with current foster carer(s)",
    "A6": "placed for adoption with placement order not with current foster carer(s)",
    "H5": "semi-independent living accommodation not subject to children's homes regulations",
    "K1": "secure children's homes", "K2": "children's homes",
    "P1": "placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "independent living, e.g. flat, lodgings, bedsit, B&B or with friends",
    "P3": "residential employment",
    "R1": "residential care home", "R2": "NHS/health trust or other establishment providing "
    "medical or nursing care", "R3": "family centre or mother and baby unit",
    "R5": "young offender institution or prison", "S1": "all residential schools",
    "T0": "temporary: all types of temporary move", "T1": "temporary periods in hospital",
    "T2": "temporary absences of the child on holiday", "T3": "temporary accommodation "
    "whilst normal foster carer(s) is/are on holiday", "T4": "temporary accommodation of "
    "seven days or less", "U1": "foster with relative or friend, long term",
    "U2": "foster with relative or friend who is also an approved adopter (FFA)",
    "U3": "foster with relative or friend, not long term or FFA",
    "U4": "foster with other foster carer, long term",
    "U5": "foster with other foster carer who is also an approved adopter (FFA)",
    "U6": "foster with other foster carer, not long term or FFA",
    "Z1": "other placements",
}
PLACED_WITH_PARENTS = "P1"

PLACE_PROVIDER: dict[str, str] = {
    "PR0": "parent(s) or other person(s) with parental responsibility",
    "PR1": "own provision (by the council)", "PR2": "other local authority provision",
    "PR3": "other public provision (e.g. by a PCT)", "PR4": "private provision",
    "PR5": "voluntary/third sector provision",
}

#: Reason episode ceased.
REC: dict[str, str] = {
    "X1": "episode ceases, and new episode begins on same day, for any reason",
    "E11": "adopted: application unopposed", "E12": "adopted: consent dispensed with",
    "E2": "died", "E3": "care taken over by another local authority in the UK",
    "E4A": "returned home to live with parent(s), relative(s) or other person(s) with "
           "parental responsibility as part of the care planning process",
    "E4B": "returned home to live with parent(s), relative(s) or other person(s) with "
           "parental responsibility not as part of the care planning process",
    "E13": "left care to live with parent(s), relative(s) or other person(s) with no "
           "parental responsibility",
    "E41": "residence order (or, from 2014, child arrangement order) granted",
    "E43": "special guardianship order made to carers other than former foster carers",
    "E44": "special guardianship order made to former foster carers",
    "E45": "special guardianship order made to former foster carer(s), who was/are a "
           "relative or friend",
    "E46": "special guardianship order made to former foster carer(s), other than relative "
           "or friend",
    "E47": "special guardianship order made to carer(s), not former foster carer(s), who "
           "is/are a relative or friend",
    "E48": "special guardianship order made to carer(s), not former foster carer(s), other "
           "than relative or friend",
    "E5": "moved into independent living arrangement and no longer looked after: supportive "
          "accommodation", "E6": "moved into independent living arrangement and no longer "
    "looked after: accommodation without formalised advice or support",
    "E7": "transferred to residential care funded by adult social services",
    "E9": "sentenced to custody", "E14": "accommodation on remand ended",
    "E15": "age assessment determined child is aged 18 or over",
    "E16": "child moved abroad", "E17": "aged 18 (or over) and remained with current carers",
    "E8": "period of being looked after ceased for any other reason",
}
#: Where the two references differ (see the module docstring).
REC_BY_ERA: dict[str, frozenset[str]] = {
    "liia-tools schema 2016-17": frozenset({"E43", "E44"}),
    "LAC validator rule 149 (current)": frozenset({"E45", "E46", "E47", "E48"}),
}
#: ``REC`` that ends an episode but not the period of care.
SAME_PERIOD_REC = "X1"
#: Endings that count as a return home (model ``ExitKind.RETURNED_HOME``).
RETURN_HOME_REC = frozenset({"E4A", "E4B"})

REASON_PLACE_CHANGE = ("CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO",
                       "CHILD", "LAREQ", "PLACE", "OTHER")

SEX = {"1": "male", "2": "female"}
ETHNIC = ("WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
          "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT")

#: Columns of the two files, in the order the sector exchanges them.
EPISODE_COLUMNS = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC",
                   "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN")
HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
#: Columns that identify a child or a place: read only to link and to check, never output.
IDENTIFYING = ("CHILD", "DOB", "HOME_POST", "PL_POST", "URN", "UPN", "MOTHER", "MC_DOB")

# ---------------------------------------------------------------- writing a run's children
#: Category of need written for each entry reason, with the share of each code. The model's
#: ``OTHER`` reasons are spread over N2-N8 in proportions of judgement (roughly the DfE's
#: national split of children starting care for reasons other than abuse or neglect).
WRITE_CIN: dict[EntryReason, dict[str, float]] = {
    EntryReason.NEGLECT: {"N1": 1.0},
    EntryReason.OTHER_ABUSE: {"N1": 1.0},
    EntryReason.OTHER: {"N2": 0.08, "N3": 0.08, "N4": 0.25, "N5": 0.27, "N6": 0.06,
                        "N7": 0.01, "N8": 0.25},
}
#: Placement written for each model placement, and its provider.
WRITE_PLACE: dict[Placement, tuple[str, str]] = {
    Placement.FOSTER: ("U6", "PR1"), Placement.RESIDENTIAL: ("K2", "PR4"),
    Placement.KINSHIP: ("U3", "PR1"),
    # reached only by a placement move (sim.placements): placed with parents (provider:
    # the parents); other placements as semi-independent living, the commonest at 16-17
    Placement.WITH_PARENTS: ("P1", "PR0"), Placement.OTHER: ("H5", "PR4")}
#: An ``other`` placement of a child under 16 (semi-independent living is for 16-17 year
#: olds): a residential school, privately provided.
WRITE_PLACE_OTHER_UNDER16 = ("S1", "PR4")
#: A move to a new placement of the same type is written with the other provider of this
#: pair every second time (the council's own carers and a private agency's, or a private
#: and a voluntary home): the written episode shows that the placement changed (rule 435:
#: a change of placement shows in PLACE, PLACE_PROVIDER, PL_POST or URN; the writer has no
#: postcodes or URNs). Placed with parents again is never a move (sim.placements).
WRITE_PROVIDER_ALTERNATE: dict[str, str] = {"PR1": "PR4", "PR4": "PR5", "PR5": "PR4",
                                            "PR0": "PR0"}
#: ``RNE`` of an episode that starts with a placement move within a period of care (DfE
#: SSDA903 guidance: ``P``, change of placement and carer(s) only; the legal status is
#: unchanged)
PLACEMENT_MOVE_RNE = "P"
#: Reason for a placement change written on the episode a move ends (rule 225: a change
#: needs a reason): the model does not say why a placement ended; ``OTHER``.
WRITE_MOVE_PLACE_CHANGE = "OTHER"
#: Legal status at the start of a period of care: with care proceedings an interim care
#: order, otherwise accommodation under section 20.
WRITE_LS = {True: "C1", False: "V2"}
#: Reason a period of care ends, for each way the model ends one.
WRITE_REC: dict[ExitKind, str] = {
    ExitKind.RETURNED_HOME: "E4A", ExitKind.ADOPTED: "E11", ExitKind.GUARDIANSHIP: "E47",
    ExitKind.OTHER: "E8", ExitKind.AGED_OUT: "E17"}
#: Endings that are an adoption (rule 390: the episode must be a placement for adoption).
ADOPTION_REC = frozenset({"E11", "E12"})
#: Months before an adoption that the written child is placed for adoption (judgement: the
#: law asks for at least 10 weeks with the adopters before an adoption order, Adoption and
#: Children Act 2002 s42(2); six months is a round figure within the usual span of
#: placement to order; the model does not simulate the placement, only the adoption).
WRITE_PLACED_FOR_ADOPTION_MONTHS = 6
#: The episode written for a placement for adoption, by column: (under a care order: a
#: placement order, not with the current foster carer; under section 20: with consent).
#: ``RNE`` says what changed (``B``: legal status and placement, as the validator reads
#: rules 435 and 436: ``P`` and ``T`` keep the legal status; ``P``: placement only).
WRITE_PLACED_FOR_ADOPTION: dict[str, tuple[str, str]] = {
    "RNE": ("B", "P"), "LS": ("E1", "V2"), "PLACE": ("A6", "A4"),
    "PLACE_PROVIDER": ("PR1", "PR1"), "REASON_PLACE_CHANGE": ("", "")}
#: Reason for the placement change to adoption (rule 225: a change needs a reason): a
#: change in the care plan.
WRITE_ADOPTION_PLACE_CHANGE = "CARPL"
#: Unknown-UPN codes written (the DfE's code set for an unknown Unique Pupil Number, as the
#: sector's validator checks it: rule 168 allows UN1-UN5). ``UN1``: not yet of school age
#: (rule 209: under 4 on the 31 August before the collection year); ``UN2``: has never
#: attended a maintained school in England (a simulated child has no school record;
#: rule 208 allows the change from UN1 to UN2 between years, never back).
UPN_UNDER_SCHOOL_AGE, UPN_SCHOOL_AGE = "UN1", "UN2"
#: ``MOTHER`` for a girl (rule 393: required for every girl looked after): ``0``, not a
#: mother (the model has no mothers in care).
WRITE_MOTHER_GIRLS = "0"
#: Share of boys among children in care (the model has no sex; DfE: about 56%).
WRITE_SHARE_MALE = 0.56

# ---------------------------------------------------------------- starting a run from data
#: The model's placement for each SSDA903 placement of a child in care at the extract date
#: (``councils=from_data``, :mod:`sim.ssda903.seed`). The model has three placements, told
#: apart by what they cost: with relatives, friends or parents (``P1``, placed with parents,
#: is still in care) as kinship; children's homes, residential settings, schools, custody
#: and independent or semi-independent living as residential; every other code (foster
#: care, placed for adoption, temporary moves, other, unknown) as foster care.
SEED_KINSHIP_PLACE = frozenset({"U1", "U2", "U3", "P1"})
SEED_RESIDENTIAL_PLACE = frozenset({"K1", "K2", "R1", "R2", "R3", "R5", "S1", "H5", "P2", "P3"})


#: With placements over a period of care on (``params.placement.moves``,
#: :mod:`sim.placements`), two more of the model's placements: placed with parents, and
#: other placements (semi-independent or independent living, residential employment,
#: residential schools, custody). The rest as above.
SEED_WITH_PARENTS_PLACE = frozenset({"P1"})
SEED_OTHER_PLACE = frozenset({"H5", "P2", "P3", "S1", "R5"})


def seed_placement(place: str | None, every_type: bool = False) -> Placement:
    """The model's placement for an SSDA903 ``PLACE`` code (see above); ``every_type``:
    with placed with parents and other placements (placements over a period of care on)."""
    if every_type and place in SEED_WITH_PARENTS_PLACE:
        return Placement.WITH_PARENTS
    if every_type and place in SEED_OTHER_PLACE:
        return Placement.OTHER
    if place in SEED_KINSHIP_PLACE:
        return Placement.KINSHIP
    if place in SEED_RESIDENTIAL_PLACE:
        return Placement.RESIDENTIAL
    return Placement.FOSTER
