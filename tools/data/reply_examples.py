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

# The phrases the templates are filled from are data: reply-phrases.json beside this file.
_PHRASES = json.loads(Path(__file__).with_name("reply-phrases.json").read_text("utf-8"))
ADDRESS = _PHRASES["address"]
CONTEXT = _PHRASES["context"]
PERSON = _PHRASES["person"]
PEOPLE = _PHRASES["people"]
OPEN_GROUPS = _PHRASES["open_groups"]
INSULT_NOUNS = _PHRASES["insult_nouns"]
INSULT_ADJECTIVES = _PHRASES["insult_adjectives"]
NICE_NOUNS = _PHRASES["nice_nouns"]
NEUTRAL_ROLES = _PHRASES["neutral_roles"]
NICE_ADJECTIVES = _PHRASES["nice_adjectives"]
INTENSIFIERS = _PHRASES["intensifiers"]
SWEAR_INSULTS = _PHRASES["swear_insults"]
OPINIONS = _PHRASES["opinions"]
BRAND_COMPLAINTS = _PHRASES["brand_complaints"]
THINGS = _PHRASES["things"]
THING_WORDS = _PHRASES["thing_words"]
SEXUAL = _PHRASES["sexual"]
SEX_ACCEPTABLE = _PHRASES["sex_acceptable"]
VIOLENCE_NEWS = _PHRASES["violence_news"]
HARM_WORDS = _PHRASES["harm_words"]
GROUPS = _PHRASES["groups"]
GROUP_HOSTILE = _PHRASES["group_hostile"]
HOSTILE_WORDS = _PHRASES["hostile_words"]


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
