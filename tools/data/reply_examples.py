"""Hand-written replies and comments for training the scorer (see README.md here).

`housing_examples.py` covers what tenants write to their landlord. This file covers what
else lands under a landlord's posts and in any public comment thread: replies to other
commenters, to public figures and to the account itself ("@handle you are ..."), insults
without a swear word, sexual remarks at the account, and hostility towards groups that are
not protected (cyclists, politicians). Every insulting template has harmless twins built
the same way ("you are a legend", "he is a teacher", "you are wrong about this"), and
hostile remarks about protected groups have negated, counter-speech and friendly twins, so
the scorer learns the words that insult rather than the shape of a reply.

Every sentence, template and word list below was written for modbot; none is taken or
paraphrased from `dev.jsonl` or `housing-dev.jsonl`. Templates are filled from the lists
with a fixed seed, so `python tools/data/reply_examples.py` always writes the same
`replies-train.jsonl`. Labels are exhaustive, as in `housing-train.jsonl`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("replies-train.jsonl")
SEED = 20261122
SOURCE = "modbot-replies"

ADDRESS = ["", "", "@USER ", "@USER ", "@USER @USER ", "@jo_marsh77 ", "@TheRealKev ", "@USER "]
# Around a reply: what else people write in the same post, so the scorer learns that an
# insult is an insult in a long post too, and that none of this is.
CONTEXT = [
    "So disappointing.",
    "Unbelievable.",
    "Read the thread.",
    "Just saw this on the news.",
    "Every single time.",
    "lol",
    "Sad times.",
    "Tell me I'm wrong.",
    "Not surprised at all.",
    "Can't believe what I'm reading.",
    "Happy Friday everyone.",
    "I said this last week.",
    "Honestly.",
    "Wow.",
    "smh",
    "URL",
    "#politics",
    "#MondayMotivation",
    "😂😂",
    "🙄",
    "👏👏👏",
    "The vote is on Thursday and it will be close.",
    "Everyone is talking about the match tonight.",
    "Prices went up again this month.",
    "Been following this story since the start.",
    "My nan always said this would happen.",
    "Watched the whole interview last night.",
    "It was on the front page this morning.",
    "The meeting went on for three hours.",
    "Half the street turned up.",
    "I've lived here for thirty years.",
    "Same thing happened in 2019.",
    "This is going to be a long winter.",
    "First time posting in here.",
    "Anyway, back to work.",
    "Thoughts?",
    "Retweet if you agree.",
    "Rant over.",
    "Make of that what you will.",
    "Good morning all.",
]
# One person spoken about.
PERSON = [
    "he",
    "she",
    "this guy",
    "that woman",
    "your mate",
    "the presenter",
    "the ref",
    "the manager",
    "our MP",
    "the councillor",
    "the mayor",
    "this bloke",
    "the host",
    "that reporter",
    "your boss",
    "her husband",
    "his brother",
    "Dave",
    "Sharon",
    "Gary",
    "Mr Hughes",
    "Councillor Bates",
    "the minister",
    "the chairman",
    "the new coach",
    "that lad",
    "the landlord",
]
# Several people spoken about.
PEOPLE = [
    "they",
    "these people",
    "his fans",
    "her followers",
    "the protesters",
    "the politicians",
    "the committee",
    "the pundits",
    "the councillors",
    "the trolls in here",
    "the board",
    "the people running this",
    "the lads next door",
    "your friends",
    "the journalists",
    "both of them",
]
# Groups that are not protected: hostility towards them is abuse, not discrimination.
OPEN_GROUPS = [
    "cyclists",
    "estate agents",
    "bankers",
    "landlords",
    "politicians",
    "tories",
    "lefties",
    "remoaners",
    "brexiteers",
    "vegans",
    "influencers",
    "lawyers",
    "traffic wardens",
    "journalists",
    "footballers",
    "City fans",
    "boomers",
    "millennials",
    "tourists",
    "Labour voters",
    "Reform voters",
    "climate protesters",
    "anti-vaxxers",
    "golfers",
]
INSULT_NOUNS = [
    "idiot",
    "moron",
    "fool",
    "clown",
    "loser",
    "hypocrite",
    "liar",
    "coward",
    "traitor",
    "creep",
    "bigot",
    "muppet",
    "halfwit",
    "buffoon",
    "imbecile",
    "nitwit",
    "numpty",
    "plonker",
    "jerk",
    "weirdo",
    "parasite",
    "scumbag",
    "lowlife",
    "snake",
    "weasel",
    "slob",
    "troll",
    "bully",
    "thug",
    "psycho",
    "lunatic",
    "nutcase",
    "nutter",
    "crank",
    "pervert",
    "narcissist",
    "degenerate",
    "snowflake",
    "simpleton",
    "dope",
    "dunce",
    "wimp",
    "bimbo",
    "airhead",
    "cretin",
    "waste of space",
    "waste of oxygen",
    "piece of work",
    "piece of garbage",
    "sad little man",
    "nobody",
    "wannabe",
    "has-been",
    "sheep",
    "puppet",
    "embarrassment",
    "joke of a man",
    "pig",
    "rat",
    "donkey",
    "dinosaur",
]
INSULT_ADJECTIVES = [
    "stupid",
    "dumb",
    "thick",
    "dim",
    "brainless",
    "clueless",
    "ignorant",
    "pathetic",
    "useless",
    "worthless",
    "spineless",
    "gutless",
    "delusional",
    "deranged",
    "unhinged",
    "insane",
    "mental",
    "evil",
    "vile",
    "disgusting",
    "despicable",
    "repulsive",
    "ugly",
    "fat",
    "lazy",
    "dishonest",
    "two-faced",
    "shameless",
    "sleazy",
    "creepy",
    "nasty",
    "spiteful",
    "hateful",
    "toxic",
    "brainwashed",
    "gormless",
    "idiotic",
    "sick in the head",
    "a waste of a salary",
    "thick as mince",
    "full of it",
    "dense",
    "a nasty piece of work",
]
NICE_NOUNS = [
    "star",
    "legend",
    "hero",
    "diamond",
    "gem",
    "saint",
    "genius",
    "treasure",
    "inspiration",
    "lifesaver",
    "natural",
    "credit to your family",
    "true professional",
    "good egg",
    "top bloke",
    "great neighbour",
    "brilliant teacher",
    "friend",
    "fan",
    "good listener",
]
NEUTRAL_ROLES = [
    "teacher",
    "nurse",
    "senator",
    "councillor",
    "vegan",
    "runner",
    "Leeds fan",
    "grandad",
    "landlord",
    "plumber",
    "student",
    "lawyer",
    "Tory",
    "Labour man",
    "journalist",
    "football coach",
    "single mum",
    "night shift worker",
    "volunteer",
    "carer",
    "twin",
    "left back",
    "member of the committee",
]
NICE_ADJECTIVES = [
    "kind",
    "funny",
    "talented",
    "brave",
    "tall",
    "busy",
    "young",
    "quiet",
    "honest",
    "clever",
    "lovely",
    "helpful",
    "right",
    "spot on",
    "welcome",
    "correct",
    "amazing",
    "so patient",
    "on holiday",
    "back on Monday",
    "a good laugh",
    "doing their best",
    "new to this",
    "from round here",
]
INTENSIFIERS = ["", "", "", "absolute ", "total ", "complete ", "utter ", "proper ", "massive "]
SWEAR_INSULTS = ["prick", "twat", "dickhead", "wanker", "bastard", "arsehole", "knobhead", "tosser"]
OPINIONS = [
    "his plan for the buses is wrong",
    "I disagree with everything she said tonight",
    "they lost the argument fair and square",
    "that was a terrible decision by the council",
    "she should resign over this",
    "he has no idea how much rent costs round here",
    "I don't agree, the figures say otherwise",
    "you are wrong about the dates, check the letter",
    "I think you are mistaken, it was Tuesday",
    "not sure that's true, the report says something else",
    "he got that badly wrong",
    "they should apologise for the delay",
    "she is out of touch on housing",
    "I will never vote for him again",
    "that policy is a disaster for renters",
    "worst referee decision I've seen all season",
]
BRAND_COMPLAINTS = [
    "your app has crashed three times today, sort it out",
    "worst customer service ever, still no refund after a month",
    "this is a joke, two hours on hold and cut off",
    "your update is rubbish, bring back the old version",
    "absolutely useless delivery, parcel left in the rain",
    "you've ruined my weekend, the engineer never came",
    "shocking service, nobody answers the phone",
    "three weeks and still no reply, this is pathetic customer care",
    "why is the website down again? ridiculous",
    "you charged me twice and won't give it back, disgraceful",
    "I'm furious, the order is wrong for the third time",
    "the new layout is terrible and nobody asked for it",
    "your prices are insane this year",
    "you lost my booking and now there's no room, fix it",
]
THINGS = [
    "the packaging",
    "your customer service",
    "the delivery",
    "this refund process",
    "the new app",
    "the queue at the counter",
    "the state of the stairwell",
    "the train this morning",
    "the price of a coffee",
    "the hold music",
    "the waiting list",
    "your returns policy",
]
THING_WORDS = [
    "pathetic",
    "useless",
    "disgusting",
    "vile",
    "awful",
    "terrible",
    "shocking",
    "ridiculous",
    "a joke",
    "a disgrace",
    "a waste of money",
    "a waste of time",
    "garbage",
    "trash",
    "rubbish",
    "insane",
    "stupid",
    "a nightmare",
    "embarrassing",
    "laughable",
]
SEXUAL = [
    "send me pics of you in the shower",
    "i want to have sex with you",
    "lets have sex tonight",
    "take your clothes off for me",
    "i need sex right now, you in?",
    "bet you're good in bed",
    "show us what's under that top",
    "i'm horny, talk dirty to me",
    "sit on my lap and we'll talk about the rent",
    "wanna hook up? you're well fit",
    "describe your underwear",
    "i'd do things to you that would make you blush",
]
SEX_ACCEPTABLE = [
    "Where can I get free sexual health advice near the estate?",
    "Is the sex offenders register something tenants can check?",
    "Playing the Sex Pistols in the car on the way to work",
    "My daughter's school is doing sex education next term",
    "Sex discrimination at work is illegal, here's the ACAS page",
    "The domestic abuse and sexual violence helpline is 24 hours",
]
VIOLENCE_NEWS = [
    "We need tougher gun laws, this keeps happening",
    "Knife crime is rising in the city centre, more youth clubs please",
    "The shooting last night was awful, thoughts with the families",
    "Fire safety check on the block is due next week",
    "They were shooting a film on our street all morning",
    "The band absolutely killed it last night",
    "I'm dying to see the new kitchen when it's done",
    "Gun control has nothing to do with the rent, stay on topic",
    "The stabbing in the park was on the news, is the lighting fixed yet?",
    "My grandad died last year and the flat still has his name on the account",
    "War films aren't my thing, I'd rather watch the football",
    "He hit the ball so hard it broke the window, kids eh",
    "Punch the numbers into the calculator and it doesn't add up",
    "The heat is killing me in this flat",
    "We need stricter gun control, full stop",
    "Gun control won't stop criminals getting hold of weapons",
    "The gun debate is back on the news again",
    "More police on the beat would do more than any knife amnesty",
    "Gun owners should have to register every weapon",
    "Ban assault rifles and most people would be happy",
    "Guns don't belong anywhere near a school",
    "The vote on gun laws is next week, write to your rep",
    "Knife crime figures for the borough are out today",
    "He was shot in the film, not in real life, calm down",
    "Shooting stars over the estate last night, gorgeous",
    "Photo shoot for the community calendar is on Saturday",
    "Well shoot, I missed the bus again",
    "That comedian absolutely died on stage, painful to watch",
    "Our dog would lick a burglar to death",
    "The match was a massacre, 6-0",
    "Bombed my driving test again",
    "Fire drill at 10am, everyone out to the car park",
]
HARM_WORDS = [
    "attacked",
    "beaten up",
    "spat at",
    "abused",
    "hurt",
    "threatened",
    "shouted at",
    "bullied",
]
# Protected groups, plural and as an adjective.
GROUPS = [
    ("Muslims", "Muslim"),
    ("Jews", "Jewish"),
    ("Sikhs", "Sikh"),
    ("Hindus", "Hindu"),
    ("Polish people", "Polish"),
    ("Romanians", "Romanian"),
    ("Black people", "Black"),
    ("Asians", "Asian"),
    ("gay men", "gay"),
    ("lesbians", "lesbian"),
    ("trans people", "trans"),
    ("disabled people", "disabled"),
    ("refugees", "refugee"),
    ("immigrants", "immigrant"),
    ("women", "female"),
    ("Travellers", "Traveller"),
    ("Africans", "African"),
    ("Chinese people", "Chinese"),
    ("Irish people", "Irish"),
    ("autistic people", "autistic"),
]
GROUP_HOSTILE = [
    "are a plague on this country",
    "should be shipped out tomorrow",
    "are all criminals, every one of them",
    "don't deserve council houses",
    "are filthy and ruin every street they move to",
    "can never be trusted",
    "are lower than animals",
    "breed like vermin",
    "are taking over and someone needs to stop them",
    "should be banned from living here",
    "are a disease",
    "are too thick to hold down a job",
    "make me sick just looking at them",
]
HOSTILE_WORDS = [
    "criminals",
    "vermin",
    "a plague",
    "animals",
    "a disease",
    "scroungers",
    "filthy",
    "dangerous",
    "lesser people",
]


def rows() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    out: list[dict[str, object]] = []

    def add(text: str, *labels: str) -> None:
        text = text[0].upper() + text[1:] if rng.random() < 0.5 else text
        draw = rng.random()
        if draw < 0.25:
            text = f"{text} {rng.choice(CONTEXT)}"
        elif draw < 0.5:
            head, at, tail = text.rpartition("@USER ")
            text = f"{head}{at}{rng.choice(CONTEXT)} {tail}"
        elif draw < 0.65:
            text = f"{rng.choice(CONTEXT)} {text} {rng.choice(CONTEXT)}"
        out.append({"text": text, "labels": sorted(labels) or ["acceptable"]})

    def a(word: str) -> str:
        return "an" if word[0].lower() in "aeiou" else "a"

    def pick(items: list[str], n: int) -> list[str]:
        return rng.sample(items, min(n, len(items)))

    def plural(noun: str) -> str:
        irregular = {"sad little man": "sad little men", "joke of a man": "jokes of men"}
        if noun in irregular:
            return irregular[noun]
        if " of " in noun:
            head, _, tail = noun.partition(" of ")
            return f"{head}s of {tail}"
        return noun + ("es" if noun.endswith(("sh", "ch")) else "s")

    def addr() -> str:
        return rng.choice(ADDRESS)

    # -- Insults aimed at the person addressed, each with a harmless twin of the same shape
    # (same address, same subject), so only the insulting word tells them apart.
    def twins(template: str, insult: str, kind: str) -> None:
        nice = rng.choice(NICE_NOUNS if kind == "noun" else NICE_ADJECTIVES)
        prefix = addr()
        add(prefix + template.format(w=insult, a=a(insult), ws=plural(insult)), "abuse")
        add(prefix + template.format(w=nice, a=a(nice), ws=plural(nice)))

    for noun in INSULT_NOUNS:
        intens = rng.choice(INTENSIFIERS)
        person, people = rng.choice(PERSON), rng.choice(PEOPLE)
        twins("you are {a} " + intens + "{w}", noun, "noun") if not intens else twins(
            f"you are {a(intens)} {intens}" + "{w}", noun, "noun"
        )
        twins("you're such {a} {w}", noun, "noun")
        twins("you " + rng.choice(INTENSIFIERS) + "{w}", noun, "noun")
        twins("{w}.", noun, "noun")
        twins("what {a} {w}", noun, "noun")
        twins(person + " is {a} {w}", noun, "noun")
        twins(people + " are {ws}", noun, "noun")
        add(f"{addr()}only {a(noun)} {noun} would believe that", "abuse")
        add(f"{addr()}nobody cares what you think, {noun}", "abuse")
    for adjective in INSULT_ADJECTIVES:
        twins("you are so {w}", adjective, "adjective")
        twins(rng.choice(PERSON) + " is {w}", adjective, "adjective")
        twins(rng.choice(PEOPLE) + " are {w}", adjective, "adjective")
        add(f"{addr()}how can anyone be this {adjective}", "abuse")
        add(f"{addr()}imagine being as {adjective} as you", "abuse")
    for noun in ["trash", "garbage", "scum", "filth", "a disgrace to the human race"]:
        add(f"{addr()}{rng.choice(PERSON)} is {noun}", "abuse")
        add(f"{addr()}you are {noun}", "abuse")
        add(f"{addr()}{rng.choice(PEOPLE)} are {noun}", "abuse")
    for thing in ["your app", "the update", "this game", "the new menu", "the film", "that album"]:
        add(f"{addr()}{thing} is {rng.choice(['trash', 'garbage', 'rubbish', 'a joke', 'awful'])}")
    # Words that insult a person also describe things: about a product or a service, no
    # one is insulted ("this packaging is disgusting", "what a pathetic excuse for a refund").
    for adjective in THING_WORDS:
        thing = rng.choice(THINGS)
        add(f"{addr()}{thing} is {adjective}")
        add(f"{addr()}this is {adjective}, {rng.choice(BRAND_COMPLAINTS)}")
        add(f"{rng.choice(CONTEXT)} {thing} is {adjective}")
    for text in [
        "you make me sick",
        "grow a brain",
        "crawl back under your rock",
        "do everyone a favour and keep your mouth shut",
        "has the brains of a goldfish",
        "nobody asked you",
        "you're a disgrace to the human race",
        "get lost, nobody wants you here",
        "go back to school and learn to read",
        "I've met smarter lamp posts",
        "you couldn't run a bath",
        "talk sense for once in your life",
        "the lights are on but nobody's home",
        "you are the reason shampoo has instructions",
        "every word out of your mouth is rubbish",
        "she's got a face like a smacked arse",
        "he's as much use as a chocolate teapot",
        "you suck at this",
        "he sucks and everyone knows it",
        "lol look at the state of you",
    ]:
        labels = ("abuse", "profanity") if "arse" in text else ("abuse",)
        add(addr() + text, *labels)
    for insult in SWEAR_INSULTS:
        add(f"{addr()}you {rng.choice(INTENSIFIERS)}{insult}", "abuse", "profanity")
        add(f"{addr()}{rng.choice(PERSON)} is a {insult}", "abuse", "profanity")
        add(
            f"{addr()}shut up you {rng.choice(INSULT_ADJECTIVES[:12])} {insult}",
            "abuse",
            "profanity",
        )
    for text in [
        "fuck off",
        "go fuck yourself",
        "shut the fuck up",
        "eat shit",
        "stfu nobody asked",
        "fuck you and your opinions",
        "piss off back to where you crawled from",
        "you talk out of your arse, dickhead",
    ]:
        add(addr() + text, "abuse", "profanity")
    for text in SEXUAL:
        add(addr() + text, "abuse")

    # Hostility towards groups that are not protected: abuse, not discrimination.
    for group in OPEN_GROUPS:
        noun = rng.choice(INSULT_NOUNS[:40])
        add(f"{group} are {rng.choice(INTENSIFIERS)}{plural(noun)}", "abuse")
        add(f"all {group} are {rng.choice(INSULT_ADJECTIVES[:30])}", "abuse")
        add(f"I can't stand {group}, {plural(noun)} the lot of them", "abuse")
        add(f"{group} are the scum of the earth", "abuse")
        # ... and opinions about them that insult nobody.
        add(f"{group} are {rng.choice(NICE_ADJECTIVES)}", "acceptable")
        add(f"I know a lot of {group} and most are decent", "acceptable")
        add(f"{group} have a point about this one", "acceptable")
        add(f"not sure {group} will like the new rules", "acceptable")

    # -- Harmless replies in the same shapes.
    for noun in NICE_NOUNS:
        add(f"{addr()}you are {a(noun)} {noun}")
        add(f"{addr()}you're such {a(noun)} {noun}")
        add(f"{addr()}what {a(noun)} {noun}")
        add(f"{addr()}{rng.choice(PERSON)} is {a(noun)} {noun}")
        add(f"{addr()}{noun}!")
    for role in NEUTRAL_ROLES:
        add(f"{addr()}{rng.choice(PERSON)} is {a(role)} {role}")
        add(f"{addr()}you are {a(role)} {role}, you should know")
        add(f"{addr()}{rng.choice(PEOPLE)} are {role}s")
    for adjective in NICE_ADJECTIVES:
        add(f"{addr()}you are {adjective}")
        add(f"{addr()}{rng.choice(PERSON)} is {adjective}")
        add(f"{addr()}{rng.choice(PEOPLE)} are {adjective}")
        add(f"{addr()}you are so {adjective}, thank you")
    for text in OPINIONS:
        add(addr() + text)
    for text in BRAND_COMPLAINTS:
        add(addr() + text)
        add(text)
    for text in [
        "you are welcome",
        "you are right, I stand corrected",
        "he is doing a better job than I ever could",
        "she is in the office on Thursdays",
        "they are coming to fix it on Tuesday",
        "you are not wrong",
        "you made my day with this",
        "he is the best thing about the club",
        "you make me laugh every time",
        "are you ok? haven't seen you post in a while",
        "what a game last night",
        "what a goal",
        "you are on my list to ring back",
        "he is so full of energy",
        "they are not the ones to blame, the council is",
        "you are not alone, the same happened to us",
        "nobody is perfect, give him a chance",
        "you deserve better than this",
        "she is not a liar, she has the letters to prove it",
        "nobody here is an idiot, we're all just fed up",
        "I'm not calling anyone stupid, I just want it fixed",
        "he's a decent bloke, leave him alone",
        "don't call people names, it doesn't help",
        "be kind, everyone's having a hard time",
    ]:
        add(addr() + text)
    for text in SEX_ACCEPTABLE + VIOLENCE_NEWS:
        add(text)

    # -- Protected groups: hostile, and negated, counter-speech, friendly and neutral twins.
    for plural, adjective in GROUPS:
        for hostile in pick(GROUP_HOSTILE, 2):
            add(f"{plural} {hostile}", "discrimination")
        word = rng.choice(HOSTILE_WORDS)
        add(f"{plural} aren't {word}, whatever the trolls say")
        add(f"It is simply not true that {plural.lower()} are {word}.")
        add(f"Calling {plural.lower()} {word} is bigotry, plain and simple.")
        add(f"Posts saying {plural.lower()} are {word} get reported and removed here.")
        add(f"Nobody should be {rng.choice(HARM_WORDS)} for being {adjective}.")
        add(f"I would never wish harm on {plural.lower()} or anyone else.")
        add(f"Hate against {plural.lower()} has no place on this page.")
        add(f"Stop spreading lies about {plural.lower()}, they're our neighbours.")
        add(f"{plural} are part of this community and always have been.")
        add(f"My {adjective} neighbours are the kindest people on the street.")
        add(f"The {adjective} support group meets at the library on Wednesdays.")
        add(f"{a(adjective).title()} {adjective} family moved in downstairs and brought us cake.")
    out_unique: dict[str, dict[str, object]] = {}
    for row in out:
        out_unique.setdefault(str(row["text"]).lower(), row)
    result = list(out_unique.values())
    for n, row in enumerate(result, start=1):
        row["id"] = f"replies-train-{n:04d}"
        row["source"] = SOURCE
        row["licence"] = "MIT"
    return [{k: r[k] for k in ("id", "text", "labels", "source", "licence")} for r in result]


def main() -> None:
    with OUT.open("w", encoding="utf-8") as handle:
        for row in rows():
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
