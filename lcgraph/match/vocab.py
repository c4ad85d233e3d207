"""The IRIs that matching reads, and the few rules of its own that it adds to the graph.

The rules are data, kept here in one place so that the guide (docs/match.md) can list them:
which target indicators count as which topic, which target kinds are reductions, and how
strongly each kind of evidence counts.
"""

from __future__ import annotations

from functools import cache

from lcgraph.match.read import DCT, ORG, RDFS, SKOS
from lcgraph.namespace import LCC

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = RDFS + "label"
ALT_LABEL = SKOS + "altLabel"
BROADER = SKOS + "broader"
SUBJECT = DCT + "subject"
SPATIAL = DCT + "spatial"
CREATOR = DCT + "creator"
MEMBER_OF = ORG + "memberOf"
MEMBER = ORG + "member"
ORGANIZATION = ORG + "organization"
ROLE = ORG + "role"
UNIT_OF = ORG + "unitOf"
ORG_ORGANIZATION = ORG + "Organization"
ORG_UNIT = ORG + "OrganizationalUnit"
ORG_MEMBERSHIP = ORG + "Membership"
DCAT_DATASET = "http://www.w3.org/ns/dcat#Dataset"


@cache
def lcc(name: str) -> str:
    """The IRI of an ``lcc:`` term; a typo raises (the namespace is closed)."""
    return str(getattr(LCC, name))


CITY, REGION, WORLD_REGION, COUNTRY = lcc("City"), lcc("Region"), lcc("WorldRegion"), lcc("Country")
NETWORK, PLATFORM = lcc("Network"), lcc("Platform")
PROGRAMME, POLICY, TOOL = lcc("Programme"), lcc("Policy"), lcc("Tool")
COLLABORATION, OUTCOME, TARGET = lcc("Collaboration"), lcc("Outcome"), lcc("Target")
EVENT, SOURCE_DOCUMENT = lcc("Event"), lcc("SourceDocument")

ORG_TYPES = frozenset(
    {
        ORG_ORGANIZATION,
        lcc("GovernmentBody"),
        lcc("InternationalOrganization"),
        lcc("ResearchOrganization"),
        lcc("Company"),
        lcc("NonProfitOrganization"),
    }
)

#: Kinds of actors that matching profiles, and the kinds each mode ranks.
PEER_KINDS = frozenset({"city", "region"})
SUPPORTER_KINDS = frozenset({"network", "programme", "organisation", "tool"})
MODES = ("peers", "supporters")

#: Target indicators read as topics. The ontology does not relate indicators to topics, so this
#: is lcgraph's rule; every reason that uses it says so.
INDICATOR_TOPICS: dict[str, str] = {
    lcc("indicatorGhg"): lcc("topicDecarbonization"),
    lcc("indicatorCo2"): lcc("topicDecarbonization"),
    lcc("indicatorCo2PerCapita"): lcc("topicDecarbonization"),
    lcc("indicatorCarbonIntensity"): lcc("topicDecarbonization"),
    lcc("indicatorEnergyIntensity"): lcc("topicEnergyEfficiency"),
    lcc("indicatorEnergyEfficiency"): lcc("topicEnergyEfficiency"),
    lcc("indicatorPrimaryEnergy"): lcc("topicEnergyEfficiency"),
    lcc("indicatorRenewableShare"): lcc("topicRenewableEnergy"),
    lcc("indicatorNonFossilShare"): lcc("topicRenewableEnergy"),
    lcc("indicatorForestCoverage"): lcc("topicGreenSpace"),
    lcc("indicatorGreenArea"): lcc("topicGreenSpace"),
}
#: A neutrality target is about decarbonisation whatever its indicator.
KIND_TOPICS: dict[str, str] = {lcc("kindNeutrality"): lcc("topicDecarbonization")}

#: Target kinds whose ``lcc:percent`` is a cut (ambition = the percent).
CUT_KINDS = frozenset(
    lcc(k) for k in ("kindAbsolute", "kindPerCapita", "kindIntensity", "kindBau", "kindReduction")
)
#: A level target's percent is the level reached: the cut is 100 minus it.
LEVEL_KIND = lcc("kindLevel")
NEUTRALITY_KIND = lcc("kindNeutrality")
#: All target kinds, in a fixed order: bit i of a profile's kind mask stands for KINDS[i].
TARGET_KINDS: tuple[str, ...] = tuple(
    lcc(k)
    for k in [
        "kindAbsolute",
        "kindPerCapita",
        "kindIntensity",
        "kindBau",
        "kindReduction",
        "kindLevel",
        "kindShare",
        "kindIncrease",
        "kindImprovement",
        "kindCap",
        "kindSaving",
        "kindQuantity",
        "kindPeak",
        "kindNeutrality",
    ]
)

#: Topics that describe a service (building capacity, sharing knowledge, reviewing, brokering).
#: An outcome on one of these is something the actor received, not something it can now offer.
SERVICE_TOPICS = frozenset(
    lcc(t)
    for t in (
        "topicCapacityBuilding",
        "topicKnowledgeSharing",
        "topicPeerReview",
        "topicCityCooperation",
    )
)

#: How strongly each kind of evidence counts (an item's strength, in (0, 1]).
STRENGTH = {
    "subject": 1.0,  # dcterms:subject on the actor itself
    "target": 1.0,  # a target's indicator or kind
    "runs": 1.0,  # a programme, policy or tool it runs, adopted, created, or that is for it
    "collaboration": 1.0,  # the subject of a collaboration it is a partner in
    "activity": 0.75,  # the subject of an activity or project of such a collaboration
    "outcome": 1.0,  # an outcome that concerns it
    "helper": 1.0,  # it helped a partner on this topic (the partner's outcomes, not its own)
    "programme": 0.5,  # a programme it takes part in or pilots
    "activity_area": 1.0,  # an activity area of a platform (supporters)
    "network": 0.25,  # the subject of a network it belongs to
    "recipient": 0.5,  # a topic it received support on in a collaboration
    "own_subject_need": 0.5,  # a topic it works on and has not done (a need)
    "platform_need": 0.25,  # an activity area of a platform that covers its world region
    "broader": 0.5,  # multiplier for the broader concept of an item (skos:broader)
}

#: Sub-weights of the profile factor's components (peers mode).
PROFILE_PARTS: dict[str, float] = {
    "population": 1.0,
    "area": 0.5,
    "target_kinds": 1.0,
    "ambition": 1.0,
    "base_years": 0.5,
    "target_years": 0.5,
    "place": 1.0,
}
#: Year windows of the base-year and target-year masks (64 years each); years outside are ignored.
BASE_YEAR_FIRST = 1960
TARGET_YEAR_FIRST = 2000
YEAR_SPAN = 63
