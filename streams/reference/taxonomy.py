"""PLOVER event types and how they map onto CAMEO roots and ACLED's event types and sub-types."""

from __future__ import annotations

PLOVER_TYPES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)

#: the CAMEO root a PLOVER type usually comes from (a trigger may name a more precise one)
DEFAULT_CAMEO = {
    "AGREE": "03",
    "CONSULT": "04",
    "SUPPORT": "05",
    "CONCEDE": "08",
    "COOPERATE": "06",
    "AID": "07",
    "RETREAT": "08",
    "REQUEST": "10",
    "ACCUSE": "11",
    "REJECT": "12",
    "THREATEN": "13",
    "PROTEST": "14",
    "SANCTION": "16",
    "MOBILIZE": "15",
    "COERCE": "17",
    "ASSAULT": "19",
}

#: ACLED sub-event type -> its event type (ACLED's exact strings)
ACLED_SUB_TYPES = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}

#: ACLED sub-event type -> the PLOVER type and mode an event of it is coded as, when the learned
#: classifier finds one the rules did not (the same pairs the trigger table gives)
ACLED_TO_PLOVER: dict[str, tuple[str, str | None]] = {
    "Armed clash": ("ASSAULT", "firearms"),
    "Government regains territory": ("ASSAULT", "heavy-weapons"),
    "Non-state actor overtakes territory": ("ASSAULT", "heavy-weapons"),
    "Chemical weapon": ("ASSAULT", "unconventional"),
    "Air/drone strike": ("ASSAULT", "aerial"),
    "Suicide bomb": ("ASSAULT", "suicide-attack"),
    "Shelling/artillery/missile attack": ("ASSAULT", "heavy-weapons"),
    "Remote explosive/landmine/IED": ("ASSAULT", "explosives"),
    "Grenade": ("ASSAULT", "explosives"),
    "Sexual violence": ("ASSAULT", "sexual"),
    "Attack": ("ASSAULT", None),
    "Abduction/forced disappearance": ("ASSAULT", "abduct"),
    "Peaceful protest": ("PROTEST", "demo"),
    "Protest with intervention": ("PROTEST", "demo"),
    "Excessive force against protesters": ("PROTEST", "demo"),
    "Violent demonstration": ("PROTEST", "riot"),
    "Mob violence": ("PROTEST", "riot"),
    "Agreement": ("AGREE", None),
    "Arrests": ("COERCE", "arrest"),
    "Change to group/activity": ("COERCE", "seize"),
    "Disrupted weapons use": ("COERCE", "seize"),
    "Headquarters or base established": ("MOBILIZE", "troops"),
    "Looting/property destruction": ("COERCE", "seize"),
    "Non-violent transfer of territory": ("RETREAT", "withdraw"),
    "Other": ("MOBILIZE", None),
}

#: how much an event type matters when ordering an article's events (violence first)
SALIENCE = {
    "ASSAULT": 1.0,
    "PROTEST": 0.8,
    "COERCE": 0.75,
    "MOBILIZE": 0.65,
    "THREATEN": 0.65,
    "AGREE": 0.65,
    "REJECT": 0.6,
    "SANCTION": 0.6,
    "CONSULT": 0.55,
    "ACCUSE": 0.5,
    "AID": 0.5,
    "RETREAT": 0.5,
    "CONCEDE": 0.45,
    "COOPERATE": 0.45,
    "REQUEST": 0.35,
    "SUPPORT": 0.3,
}


def acled_event_type(sub_type: str | None) -> str | None:
    """ACLED's event type for one of its sub-event types."""
    return ACLED_SUB_TYPES.get(sub_type) if sub_type else None
