"""Hand-written UK social-housing examples for training the scorer (see README.md here).

Every sentence and template below was written for modbot, following the category
definitions and hard-case conventions of `shared/data/housing-dev.README.md` and the five
landlord policies; none is taken or paraphrased from `housing-dev.jsonl` or `dev.jsonl`.
Templates are filled from small hand-written lists with a fixed seed, so
`python tools/data/housing_examples.py` always writes the same `housing-train.jsonl`.

Labels are exhaustive (like housing-dev): every label that applies is given.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("housing-train.jsonl")
SEED = 20261121

LANDLORDS = ["Hollybank Homes", "Marston Vale Housing", "Eastgate Housing Group", "Fernlea Homes"]
STAFF = [
    "Janet Okafor",
    "Craig Dunmore",
    "Priya Lal",
    "Stuart Bellamy",
    "Magda Nowak",
    "Femi Adeyemi",
    "Kerry Walsh",
    "Imran Qureshi",
    "Siobhan Kelly",
    "Owen Pryce",
    "Halima Yusuf",
    "Gareth Lloyd",
    "Zofia Wrobel",
    "Dean Hartley",
    "Bev Chapman",
]
ROLES = [
    "housing officer",
    "neighbourhood officer",
    "repairs manager",
    "surveyor",
    "caretaker",
    "income officer",
    "plumber",
    "gas engineer",
    "area manager",
    "customer services manager",
    "lettings officer",
    "complaints officer",
    "contractor",
    "director of housing",
    "chief exec",
]
STREETS = [
    "Thornfield Road",
    "Beechcroft Close",
    "Millstone Lane",
    "Orchard Rise",
    "Kestrel Way",
    "Hawthorn Terrace",
    "Quarry Bank",
    "Foundry Street",
    "Larch Grove",
    "Sandpiper Court",
]
POSTCODES = ["LS9 7QT", "M14 5RB", "BD3 9HW", "S2 4PL", "NE6 1XJ", "B23 7SD", "HU8 0GN", "WF1 3EZ"]
PHONES = ["07700 900412", "07700900871", "07700 900 233", "+44 7700 900655", "07700-900-318"]
ISSUES = [
    "the black mould in the bedroom",
    "the leak through the kitchen ceiling",
    "the broken boiler",
    "no hot water",
    "the damp in my son's room",
    "the rotten window frames",
    "the lift",
    "the rats in the bin store",
    "the service charge",
    "the rent increase",
    "the fence",
    "the blocked drains",
    "the cracked bath",
    "the missed gas safety check",
    "the front door",
]


def rows() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    out: list[dict[str, object]] = []

    def add(text: str, *labels: str) -> None:
        out.append({"text": text, "labels": sorted(labels) or ["acceptable"]})

    def fill(template: str) -> str:
        name = rng.choice(STAFF)
        return template.format(
            org=rng.choice(LANDLORDS),
            name=name,
            first=name.split()[0],
            role=rng.choice(ROLES),
            street=rng.choice(STREETS),
            num=rng.randint(2, 96),
            postcode=rng.choice(POSTCODES),
            phone=rng.choice(PHONES),
            issue=rng.choice(ISSUES),
            weeks=rng.randint(3, 30),
        )

    for template in ACCEPTABLE:
        for _ in range(2 if "{" in template else 1):
            add(fill(template))
    for template in GROUP_ACCEPTABLE:
        for group in rng.sample(GROUPS, 6):
            add(fill(template.replace("{group}", group)))
    for labels, templates in LABELLED:
        for template in templates:
            for _ in range(2 if "{" in template else 1):
                add(fill(template), *labels)
    unique: dict[str, dict[str, object]] = {}
    for row in out:
        unique.setdefault(row["text"].lower(), row)  # type: ignore[union-attr]
    result = list(unique.values())
    for n, row in enumerate(result, start=1):
        row["id"] = f"housing-train-{n:04d}"
        row["source"] = "modbot-housing"
        row["licence"] = "MIT"
    return [{k: r[k] for k in ("id", "text", "labels", "source", "licence")} for r in result]


ACCEPTABLE = [
    # Anger at the service, the organisation or its decisions.
    "Week {weeks} of chasing {issue}. This is a disgrace, {org}.",
    "Absolutely fuming. {issue} still not sorted and nobody rings back.",
    "What the hell am I paying rent for? {issue} has been reported five times.",
    "Bloody useless repairs service, third no-show this month.",
    "{org} you should be ashamed. My kids are sleeping next to {issue}.",
    "Not fit for purpose. Appalling management of {issue}.",
    "Shame on you {org}, a pensioner left without heating all weekend.",
    "Still waiting. Still no answer. Still paying full rent. Joke.",
    "Damn it, another text saying the appointment is cancelled.",
    "Your complaints process is a shambles and I want it escalated to stage 2.",
    "I could scream, on hold for 55 minutes again",
    "the damp is killing me, I cough every morning",
    "This rent statement is daylight robbery, £400 for a new door?",
    "What a rip-off, the service charge went up 30% and nothing got cleaned.",
    "Total shambles. Who signs these jobs off?",
    "Crap service as usual, nobody turned up",
    "Why does it take {weeks} weeks to fix a window? Honestly.",
    "sick to death of being fobbed off about {issue}",
    "You lot need to sort {issue} out, it's not good enough",
    "I'm not angry, I'm just disappointed. Again. {issue}.",
    "FIX. THE. BOILER. We have a newborn.",
    "Hell will freeze over before {org} fixes anything on {street}.",
    "Bugger me, they actually fixed the lift. Only took a year.",
    "I'm going to the Housing Ombudsman about {issue}.",
    "My MP has been copied in. This is my last attempt to sort {issue} without her.",
    "I'll be speaking to a solicitor about disrepair if {issue} isn't fixed this week.",
    "Going to the papers with photos of {issue}. Tenants deserve better.",
    "We're starting a petition about the service charge on {street}.",
    "Environmental health are coming out on Monday to look at {issue}.",
    "I'm withholding the disputed part of the service charge until I get an itemised bill.",
    "I'll take you to court if that's what it takes to get {issue} fixed.",
    "If someone falls on those broken steps it's on you, {org}.",
    "Someone will be held responsible for {issue}, through the proper channels.",
    "Peaceful protest outside the office on Saturday about {issue}, all welcome.",
    # Naming staff, not targeting them.
    "{first} the {role} was brilliant today, thank you.",
    "{name} told me the roofer is booked for the 14th.",
    "Can {first} ring me back about {issue}? She said she would.",
    "Big thanks to {name} for sorting the fence so quickly.",
    "{first} came out, had a look at {issue} and ordered the parts.",
    "I spoke to {first} on Tuesday and was promised a call back, still waiting.",
    "The {role} was polite but couldn't tell me when {issue} would be fixed.",
    # Own details, organisation's details.
    "I live at {num} {street}, {postcode}. Please send someone about {issue}.",
    "My number is {phone}, ring me any time about {issue}.",
    "Please contact me on {phone} or at {num} {street}.",
    "The office number on your website is 0113 496 0000, is that still right?",
    "Your office at {num} Market Street was shut at 2pm on a Wednesday.",
    "Email me at tenant.{num}@example.com with the repair reference please.",
    # Recordings for one's own records or for the landlord/Ombudsman.
    "I've recorded every call with you for my own records.",
    "I filmed the water coming through the ceiling, where do I send the video?",
    "I'll send the recording of the leak to the Ombudsman with my complaint.",
    "I've got photos and video of {issue} going back months.",
    "I keep a diary and recordings of the noise from next door, can the ASB team use them?",
    # Crime reports to the landlord, with observations.
    "There's drug dealing from the flat above mine most nights, I've reported it to police, ref 1462.",
    "Someone has been fly-tipping behind the garages on {street}, can you check the CCTV?",
    "I think my neighbour is being exploited, people coming and going at all hours. Safeguarding concern.",
    "Can we get an itemised bill for the communal cleaning please?",
    "Does anyone inspect a repair after it is signed off?",
    "The Ombudsman found severe maladministration in {org}'s handling of damp last year, it's in their report.",
    "According to your own annual report, repairs satisfaction is down to 52%.",
    # Reported speech by victims.
    "My neighbour called me a paki in front of my kids, what are you going to do?",
    "Someone wrote 'go home' on our door, please remove it and check the cameras.",
    "The lad upstairs shouted that he'd kill my dog. I've reported it to the police.",
    "He called my daughter a slag on the stairs. This is the third time.",
    "They keep shouting 'gay boy' at my son when he walks past.",
    "My neighbour told me 'I know where you live' which is ridiculous as he lives next door, but it scared me.",
    # Hyperbole without a target, distress, everyday life.
    "This heat in the flat is killing us",
    "I could murder a cup of tea after the day I've had with {issue}",
    "I don't see the point any more. Nothing ever changes.",
    "Bomb went off in my kitchen, well that's what the boiler sounded like",
    "We're dying of cold in here, the heating has been off for {weeks} days",
    "My son is gay and proud, and we want a transfer closer to his college",
    "Is there a support group for HIV in the area?",
    "Lovely community event on {street} today, thanks all.",
    "Great pot luck at the hall, rum cake went first",
    "Is the office open on bank holiday Monday?",
    "How do I apply for a mutual exchange?",
    "Scunthorpe office was helpful, but the Penistone one never answers.",
    "Can someone assess the cracks in the wall on the stairwell?",
    "Hot water is back on at {num} {street}, cheers.",
    "Women's group meets on Thursdays in the community room",
    "The immigrants' advice drop-in is moving to the library",
    "Black mould is back on the bathroom ceiling",
    "The Polish shop on {street} is collecting for the food bank",
]

PROFANITY = [
    "This is shit, {issue} still not done.",
    "shit hot service today, cheers {first}",
    "fucking hell, {weeks} weeks and still no boiler",
    "what a load of bollocks, the rent went up again",
    "pissing my wages away on rent for this dump",
    "i'm so pissed off with {issue}",
    "wtf is going on with the repairs line",
    "ffs fix {issue} already",
    "bullshit excuses every single time",
    "f*cking joke this is",
    "the whole estate is a shithole",
    "sh1t service, no change there",
    "f u c k i n g useless repairs line",
    "feckin boiler's gone again",
    "its pi55ing down through the ceiling",
    "$hit show of a complaints process",
    "piss poor service from start to finish",
    "absolute bollox, nobody came",
    "what the f*** is going on with {issue}",
    "christ on a bike this is fucked",
]
ABUSE = [
    "{first} you are a useless idiot",
    "your {role} is a clueless moron",
    "{name} is a lazy waste of space",
    "overpaid idiots in that office",
    "the {role} is thick as two short planks",
    "you lot are absolute clowns",
    "{first} mate, you're about as useful as a chocolate fire guard",
    "that {role} is a pig, rude and ignorant",
    "{name}, you pathetic little man",
    "the staff at {org} are scum",
    "{first} is a fat lazy cow who does nothing",
    "you're all brain dead in that office",
    "listen here you jumped up little jobsworth",
    "{name} should be ashamed, she's a nasty spiteful woman",
    "what a pack of incompetent morons you are",
    "the woman at number {num} is a disgusting tramp",
    "my neighbour is a vile pathetic excuse for a human",
    "you absolute muppets",
    "shut up you silly old bat",
    "{first} is a moron and everyone knows it",
]
PROFANITY_ABUSE = [
    "fuck you {first}",
    "{name} you stupid bitch",
    "the {role} is a complete twat",
    "{first} is a useless prick",
    "you're a bunch of useless cunts",
    "fuck off {org} you bastards",
    "{first} you absolute wanker",
    "go fuck yourselves",
    "that {role} is a knobhead",
    "{name} is an arsehole",
]
THREAT = [
    "I'm going to smash {first}'s face in next time I see him",
    "watch your back {first}",
    "I know where you live {name}",
    "keep ignoring me and see what happens to your office windows",
    "if {issue} isn't fixed I'll burn the office down",
    "someone's going to get hurt and it won't be me",
    "{first} better hope I don't see her in the car park",
    "I'll be waiting for the {role} outside after work",
    "I'll put a brick through the window of {org}",
    "the next {role} who knocks on my door is getting stabbed",
    "you'll regret this {first}, mark my words",
    "accidents happen to people like {name}",
    "I swear I'll kill the next contractor who leaves my flat like this",
    "tell {first} I'm coming for him",
    "what happens next is on {org}'s head",
    "I'm not responsible for what I do if {issue} isn't done tomorrow",
    "I'll batter that {role} when he comes back",
    "I'll knock your teeth out {first}",
    "keep it up and you'll end up in hospital",
    "he deserves a good kicking for this",
    "I've got a baseball bat with {first}'s name on it",
    "I will hunt down whoever signed this off",
    "come to my door again and you'll leave in an ambulance",
    "people like {first} deserve to be strung up",
]
DISCRIMINATION = [
    "foreigners get all the new flats on {street}",
    "send them back where they came from and we'd have houses for our own",
    "those Romanians are ruining the estate",
    "trans people shouldn't be allowed in the women's refuge",
    "muslims are all the same, breed like rabbits and take the big houses",
    "disabled tenants just scrounge off the rest of us",
    "gypsies are thieves the lot of them",
    "women can't do a surveyor's job properly",
    "black families get priority because the council is scared of them",
    "they're all dirty, whoever let these immigrants in should be sacked",
    "this estate was fine before the Poles moved in",
    "I don't want a gay couple living next to my kids",
]
DISCRIMINATION_ABUSE = [
    "the {role} is a stupid Paki who can't speak English",
    "{first} is only in that job because she's a woman, useless",
    "the family at number {num} are dirty foreigners, go back home",
    "the new {role} is a poof, I want someone else",
    "{first} is a retard who can't read a meter",
]
ALLEGATION = [
    "{org} is corrupt, the directors take backhanders from the contractors",
    "everyone knows {name} is on the take",
    "the {role} is pocketing the service charge money",
    "{org} covered up the asbestos and somebody died",
    "{first} falsified the gas safety certificate, he never even came",
    "the council and {org} are in each other's pockets, it's all a fix",
    "the contractors are paid for jobs they never do and management splits the money",
    "the family at number {num} are benefit cheats and everyone knows it",
    "{name} is fiddling the repair records to hit targets",
    "the board are lining their own pockets while we live with {issue}",
    "the caretaker steals from the empty flats",
    "{first} takes bribes to move people up the housing list",
    "the {role} is dealing drugs out of the van",
    "they cooked the books on the service charge",
    "the lettings team sell the keys to people who pay cash",
    "what did {first} get for giving the contract to his brother-in-law?",
    "{org} is stealing from tenants, plain and simple",
    "the chief exec is a crook and so is the rest of the board",
    "they forged my signature on the tenancy variation",
    "{name} is a fraudster, she invented my arrears",
    "the surveyor was paid off to say there's no damp",
    "how much did the developer pay {org} to knock down the garages?",
    "the neighbour at {num} {street} is a paedo and {org} knows",
    "the repairs manager is running a scam with the window firm",
]
ALLEGATION_ABUSE = [
    "{first} is a lying crook",
    "the whole board are thieving crooks",
    "{name} is a corrupt little weasel",
]
HARASSMENT = [
    "{name} from {org} lives at {num} {street}, {postcode}. Pay her a visit.",
    "This is the {role}'s personal mobile: {phone}. Ring him day and night till {issue} is done.",
    "Found {first}'s personal Facebook, facebook.com/{first}.{num}, everyone go and tell her what you think",
    "I know {first} drops her kids at St Mary's every morning, maybe I'll have a word there",
    "Here's {name}'s Instagram, let's all message him about {issue}",
    "I recorded my call with {first} and I'm putting it on TikTok tonight",
    "Video of the {role} losing his temper going on YouTube unless {issue} is fixed",
    "Everyone ring {first} on {phone}, her own number, not the office",
    "{name}'s husband works at the garage on {street}, let's see how he likes it",
    "I've got the recording of {first} and it's going all over Facebook",
    "the {role} parks his silver Corsa on {street} every night, reg on request",
    "anyone want {name}'s home address? DM me",
    "I followed {first} home from the office, she lives near {postcode}",
    "tagging {first}'s personal account so she can't ignore this",
    "I'll post the footage of the {role} in my flat unless you sort {issue}",
    "Shame {name} publicly, share this post with her photo everywhere",
    "{first}'s personal email is {first}.{num}@gmail.com, fill her inbox",
    "I saw {first} at the gym on Saturday and told her what I think of her in front of everyone",
    "Everyone should know what {name} looks like, photo below, she's the one who refused my transfer",
    "here's a clip of the call with the {role}, share it till it goes viral",
]
HARASSMENT_THREAT = [
    "I know where {first} lives, {num} {street}, and I'll be round tonight",
    "{name} has two kids at the primary on {street}. Would be a shame if something happened.",
]

# Groups as tenants and staff mention them, and sentences that mention a group without
# hostility (support, neutral facts, counter-speech, reports by victims): a word model
# must not learn that naming a group is hate.
GROUPS = [
    "Muslim",
    "Jewish",
    "Sikh",
    "Polish",
    "Romanian",
    "Black",
    "Asian",
    "gay",
    "lesbian",
    "trans",
    "disabled",
    "deaf",
    "blind",
    "refugee",
    "asylum-seeking",
    "Somali",
    "Irish",
    "Gypsy and Traveller",
    "older",
    "autistic",
    "Nigerian",
    "Chinese",
    "Kurdish",
    "Pakistani",
]
GROUP_ACCEPTABLE = [
    "Our {group} neighbours brought round food when the heating was off.",
    "Is there a {group} residents' group on the estate? I'd like to join.",
    "Please make sure {group} tenants get the letters in a format they can use.",
    "The {group} family at number {num} have been waiting longer than anyone for {issue}.",
    "Calling {group} people names on the stairwell is disgusting and it needs to stop.",
    "Nobody should be treated worse because they are {group}.",
    "{group} residents are welcome at the coffee morning on Friday.",
    "I'm {group} and I've lived on {street} for twenty years, best neighbours I've had.",
    "My {group} son was abused in the lift and I want the CCTV checked.",
    "Someone sprayed hate about {group} people on the garages, please clean it off.",
    "Stop blaming {group} families for the housing shortage, it's the lack of building.",
    "The {group} community centre is running a damp advice session.",
    "I work with a lot of {group} people and they deserve better than this flat.",
    "It is wrong to say {group} people jump the queue, they don't.",
    "Does {org} have a policy on hate incidents against {group} tenants?",
    "Thank you to the {group} volunteers who cleared the snow on {street}.",
    "There's nothing wrong with being {group}, whatever the graffiti says.",
    "{group} people have every right to a safe, dry home like the rest of us.",
    "My best mate on the estate is {group} and she's been waiting a year for {issue}.",
    "{group} tenants on our block are some of the kindest people I know.",
    "Proud to live on an estate with so many {group} families.",
    "As a {group} woman I want to know who to call if I'm harassed on the stairs.",
    "The {group} lad next door helped me carry the shopping up when the lift was broken.",
    "I'm fed up of people online blaming {group} tenants for everything.",
    "We love our {group} neighbours, they keep the garden lovely.",
    "Hate crime against {group} residents should be reported, here's how.",
]


LABELLED = [
    (("profanity",), PROFANITY),
    (("abuse",), ABUSE),
    (("abuse", "profanity"), PROFANITY_ABUSE),
    (("threat",), THREAT),
    (("discrimination",), DISCRIMINATION),
    (("abuse", "discrimination"), DISCRIMINATION_ABUSE),
    (("allegation",), ALLEGATION),
    (("abuse", "allegation"), ALLEGATION_ABUSE),
    (("harassment",), HARASSMENT),
    (("harassment", "threat"), HARASSMENT_THREAT),
]


def main() -> None:
    with OUT.open("w", encoding="utf-8") as handle:
        for row in rows():
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
