"""Event triggers: the phrases that signal each PLOVER event, with mode, CAMEO root and ACLED sub-type.

Patterns use a small notation compiled to spaCy Matcher patterns (see `compile_pattern`):
  word            any inflection of the word (talk, talks, talked, talking), case-insensitive
  a|b             either word
  word?           optional
  ~N              up to N arbitrary tokens
  =word           this exact form only
Spaces separate tokens, so a multi-word alternative is a pattern of its own.
Where a trigger names no ACLED sub-type the event falls outside ACLED's taxonomy (talks, threats…).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    type: str
    patterns: tuple[str, ...]
    mode: str | None = None
    cameo: str | None = None
    acled: str | None = None
    confidence: float = 0.7
    #: refine ACLED sub-type and mode from the sentence's other words (generic violence, protests)
    refine: str | None = None


TRIGGERS: tuple[Trigger, ...] = (
    # --- verbal cooperation -------------------------------------------------------------------
    Trigger(
        "talks",
        "CONSULT",
        (
            "=telephoned|=phoned",
            "=telephone|=phone conversation|talk",
            "arrive|arrived ~4 visit",
            "host|hosted ~4 meeting|talk|summit|leader|president|minister|counterpart|delegation",
            "mediate|mediation|mediator",
            "receive|received ~3 delegation|envoy|minister|mission|president",
            "visit|visited",
            "met|meet|meeting",
            "talk|negotiation|dialogue|discussion|consultation",
            "peace talk",
            "=met|=meet with",
            "=met =in",
            "hold|held meeting|talk|discussion",
            "summit",
            "round of ~2 talk",
            "negotiate",
            "=mediated|=brokered talk",
            "consult",
            "=visited",
            "=phone|=telephone call",
        ),
        cameo="04",
        confidence=0.65,
    ),
    Trigger(
        "ceasefire-agreed",
        "AGREE",
        (
            "cessation of hostilities",
            "prisoner|prisoners exchange|swap",
            "=exchange =of =prisoners",
            "agree|agreed to ~2 settle|end|reopen|withdraw|exchange|release|stop|halt|cease|lift|open|return|resume|disarm",
            "under ~3 deal|agreement|accord|truce",
            "agree ~3 ceasefire|truce|peace|deal|pact|accord|armistice|settlement",
            "ceasefire|truce =was|=were|=has|=had? =been? agreed|brokered|reached|signed",
            "sign|signed|ink|seal ~3 agreement|accord|deal|treaty|pact|ceasefire|truce|memorandum|armistice",
            "reach|reached|reaches|strike|struck ~4 agreement|deal|accord|settlement|truce|ceasefire",
            "agreement|deal|accord|ceasefire|truce =was|=were|=has =been? reached|signed|agreed",
        ),
        cameo="03",
        acled="Agreement",
        confidence=0.75,
    ),
    Trigger(
        "agree",
        "AGREE",
        (
            "agree on|to",
            "=agreed",
            "reach|reached ~2 consensus|understanding",
        ),
        cameo="03",
        confidence=0.55,
    ),
    Trigger(
        "support",
        "SUPPORT",
        (
            "voice|voiced|voices ~2 support|solidarity|backing",
            "defend|defended ~3 right|decision|policy|stance",
            "establish|established|restore|restored|upgrade|upgraded|normalise|normalize ~4 tie|relation",
            "open|opened ~2 embassy",
            "=forgive|=forgave",
            "congratulate",
            "endorse|endorsement",
            "thank|praise|commend|welcome|endorse|hail|applaud",
            "express support|solidarity",
            "=backed|=backing ~2 resolution|bid|plan|proposal",
        ),
        cameo="05",
        confidence=0.5,
    ),
    Trigger(
        "concede",
        "CONCEDE",
        (
            "scrap|scrapped|scraps|drop|dropped|drops|shelve|shelved|shelves|abandon|abandoned|withdraw|withdrew|withdraws|reverse|reversed|suspend|suspended ~4 plan|tax|law|bill|proposal|policy|decision|reform|hike|increase",
            "lift|lifted|ease|eased|relax|relaxed|shorten|shortened|end|ended|cancel|cancelled|canceled|revoke ~4 curfew|ban|restriction|emergency|siege|martial|censorship",
            "accept|accepted ~3 demand|proposal|condition|offer|plan|formula|resignation",
            "call|called off ~3 strike|protest|boycott|march",
            "=allowed|allow ~3 to",
            "=pardoned|pardon|amnesty",
            "apologise|apologize|concede|admit",
            "declare ~2 ceasefire|truce",
            "acknowledge",
        ),
        cameo="08",
        confidence=0.5,
    ),
    Trigger(
        "cooperate",
        "COOPERATE",
        (
            "cooperate|collaborate",
            "joint operation|patrol|exercise|investigation",
            "cooperation agreement",
        ),
        cameo="06",
        confidence=0.55,
    ),
    Trigger(
        "aid",
        "AID",
        (
            "airlift|airlifted|airlifts|airlifting",
            "relief ~2 flight|flights|shipment|supplies",
            "give|gave|grant|granted|donate|donated|provide|provided|providing|send|sent|ship|supply ~5 aid|assistance|grant|loan|medicine|medical|food|arms|weapon|equipment|supplies|million|billion|dollars|euros|intelligence",
            "grant|granted|give|gave|offer ~3 asylum",
            "evacuate|evacuated ~3 wounded|civilian|refugee|injured",
            "=donated",
            "hand|handed over ~3 medicine|food|supplies|aid",
            "aid|relief|assistance|supplies ~2 =delivered|=arrived|=reached",
            "deliver|send|sent|provide|airdrop|distribute ~4 aid|food|relief|assistance|supplies|medicine|shelter",
            "humanitarian aid|assistance|convoy|corridor",
            "aid convoy|shipment|delivery|truck",
            "=pledged ~4 aid|assistance|million",
        ),
        cameo="07",
        confidence=0.7,
    ),
    Trigger(
        "retreat",
        "RETREAT",
        (
            "withdrawal|pull-out|pullout",
            "resign|resignation|resigned",
            "step|stepped down",
            "surrender|surrendered",
            "demobilize|demobilise|demobilized|demobilised|disarm|disarmament",
            "evacuate|evacuated ~3 settlement|base|position|town",
            "lift|lifted ~3 blockade|siege",
            "reopen|reopened|open|opened ~3 border|crossing|bridge|corridor",
            "withdraw|pull ~3 troop|force|soldier",
            "pull out|back",
            "release|free|freed ~3 prisoner|hostage|detainee|captive",
            "hostage|prisoner|detainee =were|=was =released|=freed",
            "hand|handed over",
        ),
        cameo="08",
        confidence=0.6,
    ),
    # --- verbal conflict ----------------------------------------------------------------------
    Trigger(
        "request",
        "REQUEST",
        (
            "must",
            "=demanded|=demanding|demand",
            "ask|asked|asking",
            "seek|sought|seeking",
            "push|pushing|pushed for",
            "insist|insisted",
            "request|requested",
            "=appealed|appeal for|to",
            "=pressing|=pressed|pressure|pressuring",
            "urge|appeal|demand|press|=asked",
            "call|=called|=calling on|for",
        ),
        cameo="10",
        confidence=0.45,
    ),
    Trigger(
        "accuse",
        "ACCUSE",
        (
            "investigate|investigation|probe|inquiry|enquiry|hearing",
            "charge|charged|indict|indicted|indictment",
            "inspector|inspection",
            "allegation|alleged",
            "accuse|blame|allege|condemn|denounce|criticise|criticize",
            "=accusing",
            "=held ~3 responsible",
            "accusation|allegation",
            "=claimed responsibility",
        ),
        cameo="11",
        mode="allege",
        confidence=0.7,
    ),
    Trigger(
        "talks-failed",
        "REJECT",
        (
            "decline|declined|renege|reneged|defy|defied|oppose|opposed|resist",
            "rule|ruled out",
            "=out =of =the =question",
            "=will|=would not accept|meet|recognise|recognize|agree|allow",
            "violate|violated|violation ~3 ban|agreement|ceasefire|truce|accord",
            "talk|negotiation|dialogue|meeting|discussion|summit ~4 collapse|fail|stall|falter|=ended|=concluded",
            "talk|negotiation|dialogue ~4 break|=broke down",
            "collapse|failure|breakdown =of ~3 talk|negotiation|dialogue",
            "without ~2 breakthrough|agreement|deal|result|progress|outcome",
            "fail to ~3 produce|reach|agree|find|make",
            "=failed|=fails =to",
            "could|did|=couldn't|=didn't not? find|reach common? ground|agreement|deal",
            "no agreement|deal|breakthrough|consensus|assurance|commitment",
            "reject|refuse|rebuff|spurn|veto|deny|dismiss",
            "rejection|refusal",
            "=walked =out",
            "=deadlock|=impasse|=stalemate",
        ),
        cameo="12",
        confidence=0.6,
    ),
    Trigger(
        "threaten",
        "THREATEN",
        (
            "=sworn|=swore|swear to",
            "prepare|prepared to ~3 impose|strike|attack|use",
            "threaten|threat|warn|vow|ultimatum",
            "=warning|=warned",
            "vow to ~3 retaliate|respond|avenge|strike",
        ),
        cameo="13",
        mode="violence",
        confidence=0.65,
    ),
    Trigger(
        "sanction",
        "SANCTION",
        (
            "suspend|suspended|suspension|halt|halted|cut|reduce|reduced|freeze|froze|stop|stopped|end|ended ~4 aid|link|flight|tie|relation|supplies|cooperation|mediation|program|programme|assistance|shipment",
            "cancel|cancelled|canceled|postpone ~3 visit|trip|meeting|summit",
            "call|called off ~3 visit|trip|meeting|summit",
            "expel|expelled ~3 diplomat|ambassador|envoy|official",
            "recall|recalled ~2 ambassador|envoy",
            "prohibit|prohibited|deny|denied ~3 entry|aid|visa|imports|exports",
            "=downgraded ~2 tie|relation",
            "sanction|embargo",
            "impose|slap ~3 sanction|ban|restriction|tariff|embargo",
            "freeze|froze ~3 asset",
            "expel ~3 diplomat|ambassador|envoy",
            "suspend|cut|sever ~3 tie|relation|aid",
            "blacklist",
            "=convicted|=sentenced",
        ),
        cameo="16",
        confidence=0.7,
    ),
    # --- material conflict --------------------------------------------------------------------
    Trigger(
        "protest",
        "PROTEST",
        (
            "vigil",
            "sit =- =in",
            "=human =chain",
            "stage|staged ~3 sit|protest|rally|march|demonstration",
            "boycott|boycotted",
            "picket|picketed",
            "protest|demonstration|rally|march|sit-in|demonstrator|protester|protestor",
            "=demonstrated|=rallied|=marched|=protested",
            "take|took to the street",
            "general strike",
            "=went on strike",
            "=walkout",
            "hunger strike",
        ),
        cameo="14",
        mode="demo",
        acled="Peaceful protest",
        confidence=0.7,
        refine="protest",
    ),
    Trigger(
        "mob",
        "PROTEST",
        ("mob|lynch|lynching|vigilante",),
        cameo="14",
        mode="riot",
        acled="Mob violence",
        confidence=0.7,
    ),
    Trigger(
        "riot",
        "PROTEST",
        (
            "riot|rioter|rioting",
            "=torched|=ransacked",
            "pelt ~2 stone",
            "set fire|ablaze",
        ),
        cameo="14",
        mode="riot",
        acled="Violent demonstration",
        confidence=0.7,
        refine="riot",
    ),
    Trigger(
        "mobilize",
        "MOBILIZE",
        (
            "beat|beaten|stone|stoned|burn|burned|hack|hacked ~3 to death",
            "set ~3 alight",
            "=dragged",
            "witchcraft",
            "deploy|dispatch|mass|send|sent|station|move|moved ~3 troop|soldier|force|reinforcement|tank|warship|police",
            "troop|force|reinforcement ~2 =deployed|=massed|=arrived",
            "mobilise|mobilize|mobilisation|mobilization",
            "deployment of",
            "put ~2 on high alert",
            "military buildup|build-up",
        ),
        cameo="15",
        mode="troops",
        confidence=0.65,
    ),
    Trigger(
        "arrest",
        "COERCE",
        (
            "arrest|detain|detention|apprehend|=jailed|imprison",
            "take|took|taken into custody",
            "round|rounded up",
            "raid ~2 home|house|office",
        ),
        cameo="17",
        mode="arrest",
        acled="Arrests",
        confidence=0.7,
    ),
    Trigger(
        "coerce",
        "COERCE",
        (
            "curfew",
            "state of emergency|siege",
            "martial law",
            "close|closed|shut|seal|sealed ~3 border|crossing|road|highway|airport",
            "suspend|suspended|dissolve|dissolved ~4 activities|party|parties|newspaper|broadcaster|organisation|organization",
            "blockade|blockaded",
            "censor|censorship",
            "shut down",
            "=blocked internet",
            "deport|expel",
            "confiscate|seize|seized ~3 property|asset|land|vessel|ship|tanker",
            "crackdown",
            "ban on",
            "=banned",
        ),
        cameo="17",
        mode="restrict",
        acled="Other",
        confidence=0.55,
    ),
    Trigger(
        "looting",
        "COERCE",
        (
            "steal|stole|stolen|rustle|rustled ~3 cattle|livestock|goat|goats|property|car|cars|vehicle|vehicles",
            "vandalise|vandalised|vandalize|vandalized|vandalism",
            "uproot|uprooted ~3 tree|trees|crop|crops|orchard",
            "burn|burned|burnt|torch|torched ~3 school|mast|shop|market|church|mosque|office|offices|vehicle|car|tower|crops|field",
            "set fire to ~3 school|mast|shop|market|church|mosque|office|offices|vehicle|car|tower|house|home",
            "empty|emptied ~2 house|houses|home|homes|shop|shops",
            "loot|looting|looter|plunder|pillage",
            "destroy|demolish|raze|burn|burnt|burned ~3 home|house|village|shop|property|building|church|mosque",
        ),
        cameo="17",
        mode="seize",
        acled="Looting/property destruction",
        confidence=0.6,
    ),
    # --- assault, most specific first ---------------------------------------------------------
    Trigger(
        "disrupted-weapons",
        "ASSAULT",
        (
            "defuse|defused|dismantle|dismantled|neutralise|neutralised|neutralize|neutralized ~4 bomb|device|ied|explosive|mine|landmine|vest",
            "intercept|intercepted|down|downed|shoot|shot down ~4 drone|missile|rocket|projectile|uav",
            "air =defence|=defense ~4 intercept|intercepted|destroy|destroyed|down|downed",
            "destroy|destroyed ~3 drone|missile|uav",
            "find|found ~4 ied|explosive|bomb ~4 destroy|destroyed|defuse|defused",
            "controlled explosion|detonation",
        ),
        cameo="15",
        mode="explosives",
        acled="Disrupted weapons use",
        confidence=0.75,
    ),
    Trigger(
        "base-established",
        "MOBILIZE",
        (
            "set|sets up ~4 base|camp|outpost|headquarters|checkpoint|position|office",
            "establish|established|open|opened|build|built|install|installed ~4 base|camp|outpost|headquarters|checkpoint|office",
        ),
        cameo="15",
        mode="troops",
        acled="Headquarters or base established",
        confidence=0.75,
    ),
    Trigger(
        "territory-handover",
        "RETREAT",
        (
            "withdraw|withdrew|withdrawn|pull|pulled|retreat|retreated|leave|left|abandon|abandoned|vacate|vacated ~4 town|city|village|villages|area|base|district|territory|position|positions|neighbourhood|neighbourhoods|from",
            "hand|handed|handing|transfer|transferred|cede|ceded ~4 control|town|base|position|positions|territory|village|villages",
            "enter|entered ~4 unopposed|without =a? fight|fighting|resistance",
            "=took =control ~5 without",
        ),
        cameo="08",
        mode="withdraw",
        acled="Non-violent transfer of territory",
        confidence=0.7,
    ),
    Trigger(
        "group-change",
        "COERCE",
        (
            "seize|seized|confiscate|confiscated|recover|recovered ~4 weapon|arms|ammunition|explosives|cache|rifle|rifles",
            "merge|merged|merging|split|splinter|unified|unify ~3 faction|factions|group|movement|command|into",
            "formation of ~3 command|group|alliance|coalition",
            "relocate|relocated|relocating ~3 fighter|fighters|base|headquarters",
            "=appointed|=named ~3 new =leader|=commander",
            "=new =leader|=commander",
            "defect|defected|defection",
        ),
        cameo="17",
        mode="seize",
        acled="Change to group/activity",
        confidence=0.6,
    ),
    Trigger(
        "suicide-bomb",
        "ASSAULT",
        (
            "suicide ~2 bomb|bomber|bombing|attack|attacker|car|truck|vehicle|vest",
            "=martyrdom =- =seekers",
            "suicide bomb|bomber|bombing|attack|attacker|blast|vest",
            "=blew =himself|=herself|=themselves up",
        ),
        cameo="18",
        mode="suicide-attack",
        acled="Suicide bomb",
        confidence=0.85,
    ),
    Trigger(
        "ied",
        "ASSAULT",
        (
            "roadside|car|truck|vehicle|landmine|improvised ~2 bomb|device|explosive|mine",
            "=ied|=ieds|landmine|=vbied",
            "bomb|explosive =planted",
            "bombing|blast|explosion|explode|detonate",
            "=bomb =exploded|=went",
            "mine =exploded",
        ),
        cameo="18",
        mode="explosives",
        acled="Remote explosive/landmine/IED",
        confidence=0.75,
        refine="assault",
    ),
    Trigger("grenade", "ASSAULT", ("grenade",), cameo="18", mode="explosives", acled="Grenade", confidence=0.8),
    Trigger(
        "air-strike",
        "ASSAULT",
        (
            "air|aerial|drone|precision|missile strike|raid|attack|bombardment|bombing|campaign",
            "=airstrike|=airstrikes|=air-strike|=air-strikes|=drone-strike",
            "warplane|jet|helicopter|aircraft ~4 bomb|strike|pound|hit|target|attack|fire",
            "bomb|bombed|pound|pounded|strike|struck ~4 =from =the =air",
            "drone attack|strike",
        ),
        cameo="19",
        mode="aerial",
        acled="Air/drone strike",
        confidence=0.8,
    ),
    Trigger(
        "shelling",
        "ASSAULT",
        (
            "shell|shelling|artillery|mortar|rocket|missile|barrage|bombard|bombardment",
            "fire|fired|launch|launched ~3 rocket|missile|mortar|shell|projectile",
        ),
        cameo="19",
        mode="heavy-weapons",
        acled="Shelling/artillery/missile attack",
        confidence=0.75,
        refine="assault",
    ),
    Trigger(
        "chemical",
        "ASSAULT",
        (
            "release|released|releasing|drop|dropped|use|used|fire|fired ~5 gas|chlorine|substance|chemical|chloropicrin",
            "chloropicrin|chlorine|sarin",
            "toxic|poisonous gas|substance|smoke",
            "chemical attack|weapon|agent",
            "chlorine|sarin|=gas attack",
            "nerve agent",
        ),
        cameo="20",
        mode="unconventional",
        acled="Chemical weapon",
        confidence=0.8,
    ),
    Trigger(
        "abduction",
        "ASSAULT",
        (
            "abduct|kidnap|abduction|kidnapping|kidnapper|abductor",
            "take|took|taken hostage|captive",
            "forced disappearance",
        ),
        cameo="18",
        mode="abduct",
        acled="Abduction/forced disappearance",
        confidence=0.8,
    ),
    Trigger(
        "sexual-violence",
        "ASSAULT",
        (
            "sexually assault|abuse|exploit|assaulted|abused",
            "=raped|=rape",
            "rape|raped",
            "sexual violence|assault|abuse",
        ),
        cameo="18",
        mode="sexual",
        acled="Sexual violence",
        confidence=0.8,
    ),
    Trigger(
        "territory-regained",
        "ASSAULT",
        (
            "recapture|retake|retook|reclaim|liberate|regain ~4 town|city|village|area|territory|control|base|district",
            "regain|regained|restore|restored control",
        ),
        cameo="19",
        mode="heavy-weapons",
        acled="Government regains territory",
        confidence=0.7,
        refine="territory",
    ),
    Trigger(
        "territory-taken",
        "ASSAULT",
        (
            "seize|seized|capture|captured|overrun|overran|took|take ~3 control|town|city|village|base|district|territory",
            "fell|fallen to",
            "advance into|on",
        ),
        cameo="19",
        mode="heavy-weapons",
        acled="Non-state actor overtakes territory",
        confidence=0.65,
        refine="territory",
    ),
    Trigger(
        "clash",
        "ASSAULT",
        (
            "clash|fighting|fight|battle|skirmish|firefight|gunfight|gunbattle|shootout|ambush|offensive|hostilities",
            "exchange ~2 fire|gunfire",
            "=fought",
            "=attacked|=attacking|=attacks|=attack|assault|raid|incursion|aggression",
            "=opened =fire",
            "gunman|gunmen|militant|insurgent|attacker|assailant ~4 kill|shoot|shot|attack|storm|open",
            "=killed|=killing|=kills|=kill",
            "shoot|shot|gun ~1 dead|down",
            "massacre|slaughter",
            "=stormed",
            "behead|execute|execution|assassinate|assassination",
            "strike|strikes",
            "=struck",
        ),
        cameo="19",
        mode="firearms",
        acled="Armed clash",
        confidence=0.65,
        refine="assault",
    ),
)

_IRREGULAR = {
    "hold": ["held", "holds", "holding"],
    "meet": ["met", "meets", "meeting"],
    "take": ["took", "taken", "takes", "taking"],
    "fight": ["fought", "fights", "fighting"],
    "shoot": ["shot", "shoots", "shooting"],
    "strike": ["struck", "strikes", "striking"],
    "send": ["sent", "sends", "sending"],
    "break": ["broke", "broken", "breaks"],
    "seek": ["sought"],
    "freeze": ["froze", "frozen"],
    "lead": ["led"],
    "bring": ["brought"],
    "blow": ["blew", "blown"],
    "sit-in": ["sit-ins"],
    "ink": ["inked"],
    "cut": ["cuts", "cutting"],
    "put": ["puts", "putting"],
    "fall": ["fell", "fallen"],
    "overrun": ["overran"],
    "retake": ["retook", "retaken"],
    "burn": ["burnt", "burned"],
}


def inflections(word: str) -> set[str]:
    """Regular English inflections of a word (overgeneration is harmless for matching)."""
    forms = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing", word + "d"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    forms |= set(_IRREGULAR.get(word, []))
    return forms


def compile_pattern(notation: str) -> list[dict[str, Any]]:
    """One pattern in the notation above -> a spaCy Matcher token pattern."""
    tokens: list[dict[str, Any]] = []
    for part in notation.split():
        if part.startswith("~"):
            tokens.append({"OP": f"{{0,{int(part[1:])}}}"})
            continue
        optional = part.endswith("?")
        part = part.rstrip("?")
        forms: set[str] = set()
        for alternative in part.split("|"):
            if alternative.startswith("="):
                forms.add(alternative[1:].lower())
            else:
                forms |= inflections(alternative.lower())
        token: dict[str, Any] = {"LOWER": {"IN": sorted(forms)}}
        if optional:
            token["OP"] = "?"
        tokens.append(token)
    return tokens
