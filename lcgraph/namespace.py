"""The closed namespace of the LCC ontology (``lcc:``).

Like rdflib's ``_ORG.py``: a typo such as ``LCC.Citty`` raises instead of minting a new IRI.
``tests/test_ontology.py`` checks that the members here are exactly the terms of
``ontology/lcc.ttl``; when the ontology changes, regenerate this list from it.
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class LCC(DefinedNamespace):
    _NS = Namespace("https://w3id.org/lcc/ontology#")
    _fail = True

    # Classes
    Activity: URIRef
    ActivityArea: URIRef
    Agreement: URIRef
    City: URIRef
    Collaboration: URIRef
    Company: URIRef
    Country: URIRef
    Discrepancy: URIRef
    Event: URIRef
    Facility: URIRef
    GovernmentBody: URIRef
    InternationalOrganization: URIRef
    Network: URIRef
    NonProfitOrganization: URIRef
    Outcome: URIRef
    Platform: URIRef
    Policy: URIRef
    Programme: URIRef
    Project: URIRef
    Region: URIRef
    ResearchOrganization: URIRef
    SourceDocument: URIRef
    Target: URIRef
    Tool: URIRef
    WorldRegion: URIRef

    # Object properties
    activityArea: URIRef
    activityKind: URIRef
    adoptedBy: URIRef
    agreement: URIRef
    concerns: URIRef
    conflictingStatement: URIRef
    counterpart: URIRef
    country: URIRef
    destination: URIRef
    discrepancyKind: URIRef
    fundingSource: URIRef
    geonames: URIRef
    governedBy: URIRef
    hasActivity: URIRef
    hasOutcome: URIRef
    hasProject: URIRef
    hasTarget: URIRef
    horizon: URIRef
    host: URIRef
    includesEvent: URIRef
    indicator: URIRef
    ledTo: URIRef
    linkedWith: URIRef
    locatedIn: URIRef
    operator: URIRef
    organiser: URIRef
    participant: URIRef
    participatesIn: URIRef
    partner: URIRef
    pilotCity: URIRef
    place: URIRef
    recognisedBy: URIRef
    runBy: URIRef
    secretariat: URIRef
    signatory: URIRef
    speaker: URIRef
    statedIn: URIRef
    status: URIRef
    targetKind: URIRef
    worldRegion: URIRef

    # Datatype properties
    amount: URIRef
    areaKm2: URIRef
    baseYear: URIRef
    count: URIRef
    declaredYear: URIRef
    endDate: URIRef
    evidence: URIRef
    geonamesMatch: URIRef
    geonamesPopulation: URIRef
    governance: URIRef
    isoAlpha2: URIRef
    isoAlpha3: URIRef
    isoNumeric: URIRef
    memberCount: URIRef
    memberResponsibility: URIRef
    membershipEligibility: URIRef
    noGeonamesReason: URIRef
    objective: URIRef
    ordinal: URIRef
    percent: URIRef
    percentUpper: URIRef
    population: URIRef
    populationYear: URIRef
    positionTitle: URIRef
    projectYear: URIRef
    secretariatTask: URIRef
    seedFile: URIRef
    sha256: URIRef
    startDate: URIRef
    targetYear: URIRef
    theme: URIRef
    unit: URIRef
    venue: URIRef

    # Concept schemes
    ActivityKindScheme: URIRef
    DiscrepancyKindScheme: URIRef
    EventTypeScheme: URIRef
    HorizonScheme: URIRef
    IndicatorScheme: URIRef
    RoleScheme: URIRef
    SectorScheme: URIRef
    StatusScheme: URIRef
    TargetKindScheme: URIRef
    TopicScheme: URIRef

    # Concepts
    activityCeremony: URIRef
    activityConference: URIRef
    activityInterview: URIRef
    activityKnowledgeSharing: URIRef
    activityMeeting: URIRef
    activityPlanning: URIRef
    activityProjectScouting: URIRef
    activityTechnicalSupport: URIRef
    activityTrip: URIRef
    discrepancyAttribution: URIRef
    discrepancyDuplicateRow: URIRef
    discrepancyFigure: URIRef
    discrepancyName: URIRef
    discrepancyUnit: URIRef
    discrepancyWording: URIRef
    discrepancyYear: URIRef
    eventConference: URIRef
    eventMeeting: URIRef
    eventSession: URIRef
    eventSymposium: URIRef
    horizonLongTerm: URIRef
    horizonMidTerm: URIRef
    indicatorCarbonIntensity: URIRef
    indicatorCo2: URIRef
    indicatorCo2PerCapita: URIRef
    indicatorEnergyEfficiency: URIRef
    indicatorEnergyIntensity: URIRef
    indicatorForestCoverage: URIRef
    indicatorGhg: URIRef
    indicatorGreenArea: URIRef
    indicatorNonFossilShare: URIRef
    indicatorPrimaryEnergy: URIRef
    indicatorRenewableShare: URIRef
    kindAbsolute: URIRef
    kindBau: URIRef
    kindCap: URIRef
    kindImprovement: URIRef
    kindIncrease: URIRef
    kindIntensity: URIRef
    kindLevel: URIRef
    kindNeutrality: URIRef
    kindPeak: URIRef
    kindQuantity: URIRef
    kindPerCapita: URIRef
    kindReduction: URIRef
    kindSaving: URIRef
    kindShare: URIRef
    roleCoSponsor: URIRef
    roleMember: URIRef
    roleStaff: URIRef
    sectorBuildings: URIRef
    sectorEnergy: URIRef
    sectorHouseholds: URIRef
    sectorIndustry: URIRef
    sectorLandUse: URIRef
    sectorTransport: URIRef
    sectorWaste: URIRef
    sectorWater: URIRef
    statusOperating: URIRef
    statusPlanned: URIRef
    statusProposed: URIRef
    topicBuildingRetrofit: URIRef
    topicCapacityBuilding: URIRef
    topicCarbonMarkets: URIRef
    topicCityCooperation: URIRef
    topicDecarbonization: URIRef
    topicEnergyEfficiency: URIRef
    topicEnergyManagement: URIRef
    topicFinance: URIRef
    topicGhgAccounting: URIRef
    topicGreenSpace: URIRef
    topicIndustrialSymbiosis: URIRef
    topicKnowledgeSharing: URIRef
    topicLifestyle: URIRef
    topicLowCarbonBusiness: URIRef
    topicLowCarbonDistrict: URIRef
    topicLowCarbonPlanning: URIRef
    topicPeerReview: URIRef
    topicPollution: URIRef
    topicRenewableEnergy: URIRef
    topicResearch: URIRef
    topicResilience: URIRef
    topicTransport: URIRef
    topicWaste: URIRef
    topicWasteToEnergy: URIRef


__all__ = ["LCC"]
