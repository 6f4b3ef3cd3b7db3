"""The text classifier: every text filter over one folded copy, scores per category.

One object, built once from the config, used by the pipeline, `modbot scan`,
`modbot classify`, `modbot eval` and the benchmarks alike.

Rules and the learned scorer are combined per category by taking the higher score: rules
give precise findings with spans, the scorer adds recall for what no rule anticipated. The
scorer reads words, not context, so its findings pass the same context guards as the rules:
a victim reporting what was said to them, and (for threats) a lawful route of escalation,
keep a text acceptable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from filters.abuse import PERSON_ONLY, AbuseFilter, aimed_at_person
from filters.allegation import AllegationFilter
from filters.base import TEXT_CATEGORIES, Category, Finding, TextFilter, reaches
from filters.context import is_lawful_escalation, is_mention, is_reported_speech
from filters.discrimination import DiscriminationFilter
from filters.harassment import HarassmentFilter
from filters.normalise import Folded, fold
from filters.patterns import trie
from filters.prescan import QuickSearch
from filters.profanity import AllowList, ProfanityFilter
from filters.scorer import (
    DEFAULT_MODEL,
    GROUP_MISSPELT,
    Analysis,
    LinearScorer,
    has_content,
)
from filters.service_issue import ServiceIssue, service_issues
from filters.threat import ThreatFilter

# The scorer's probability counts in `scores` from SCORE_FLOOR (below it, 0.0, so an
# ordinary text does not list six near-zero "reasons" in its decision). It makes a finding
# only from its category's cut (config `scorer.cuts`), the probability at which it proved
# as precise as the rules; below the cut it is shown capped at BELOW_CUT_CAP, under every
# shipped threshold, so on its own it never flags anything.
SCORE_FLOOR = 0.3
BELOW_CUT_CAP = 0.49


@dataclass(frozen=True, slots=True)
class Classification:
    """The findings for one text and the highest score in each text category."""

    text: str
    findings: tuple[Finding, ...]
    scores: Mapping[Category, float]
    issues: tuple[ServiceIssue, ...]

    def labels(self, thresholds: Mapping[Category, float]) -> list[Category]:
        """Categories whose score reaches its threshold, in the canonical order."""
        return [c for c in TEXT_CATEGORIES if reaches(self.scores.get(c, 0.0), c, thresholds)]

    def counted(self, thresholds: Mapping[Category, float]) -> list[Finding]:
        """Findings in categories that reach their threshold."""
        labels = set(self.labels(thresholds))
        return [f for f in self.findings if f.category in labels]


class TextClassifier:
    """Runs every text filter, and the learned scorer, over one folded copy of the text.

    Args:
        filters: the rule filters.
        scorer: the learned scorer, or None for rules only.
        model_cuts: per category, the scorer's probability from which it makes a finding;
            categories left out are rules only. None for the shipped `DEFAULT_CUTS`.
    """

    def __init__(
        self,
        filters: Sequence[TextFilter],
        scorer: LinearScorer | None = None,
        model_cuts: Mapping[Category, float] | None = None,
    ) -> None:
        self.filters = tuple(filters)
        self.scorer = scorer
        cuts = DEFAULT_CUTS if model_cuts is None else model_cuts
        self.model_cuts = {c: cuts[c] for c in MODEL_CATEGORIES if c in cuts}
        abuse = next((f for f in self.filters if isinstance(f, AbuseFilter)), None)
        self.staff = abuse.staff if abuse is not None else None
        # The allow-list of the profanity filter also keeps the scorer off allowed phrases.
        self.allow = next((f.allow for f in self.filters if isinstance(f, ProfanityFilter)), None)

    @classmethod
    def build(
        cls,
        words_dir: Path,
        *,
        extra_profanity: Iterable[str] = (),
        allowed: Iterable[str] = (),
        staff_names: Iterable[str] = (),
        scorer: LinearScorer | Literal["shipped"] | None = "shipped",
        model_cuts: Mapping[Category, float] | None = None,
    ) -> TextClassifier:
        """The shipped filters with the config's word lists, and the shipped scorer.

        Args:
            words_dir: the folder of word lists (`config/words/`).
            extra_profanity: more swear words to flag.
            allowed: words and phrases never to flag.
            staff_names: staff to protect from abuse, threats and harassment.
            scorer: "shipped" for `filters/models/scorer.json.gz`, a scorer of your own, or
                None for rules only.
            model_cuts: per category, the scorer's probability that makes a finding
                (config `scorer.cuts`); None for `DEFAULT_CUTS`.
        """
        staff = tuple(staff_names)
        if scorer == "shipped":
            scorer = _shipped_scorer()
        return cls(
            [
                ProfanityFilter.curated(words_dir, extra_profanity, allowed),
                AbuseFilter.shipped(words_dir, staff),
                ThreatFilter(),
                DiscriminationFilter.shipped(words_dir),
                AllegationFilter(),
                HarassmentFilter(staff),
            ],
            scorer,
            model_cuts,
        )

    def classify(self, text: str) -> Classification:
        """Findings, per-category scores and service topics for one text."""
        folded: Folded = fold(text)
        findings: list[Finding] = []
        for text_filter in self.filters:
            findings.extend(text_filter.check(folded))
        findings.extend(aimed_at_person(folded, findings, self.staff))
        scores = {c: 0.0 for c in TEXT_CATEGORIES}
        for finding in findings:
            if finding.score > scores[finding.category]:
                scores[finding.category] = finding.score
        if self.scorer is not None:
            findings.extend(self._model_findings(folded, scores))
        findings.sort(key=lambda f: (f.spans[0].start if f.spans else -1, f.category.value))
        return Classification(text, tuple(findings), scores, tuple(service_issues(folded)))

    def _model_findings(self, folded: Folded, scores: dict[Category, float]) -> list[Finding]:
        assert self.scorer is not None
        found = []
        analysis = Analysis.of(folded.text)
        model = dict(zip(self.scorer.categories, self.scorer.probabilities(analysis), strict=True))
        allowed: list[tuple[int, int]] | None = None
        for category, cut in self.model_cuts.items():
            probability = model[category]
            explained_by = category
            if category is Category.ABUSE:
                # Hate aimed at people who are not a protected group ("football fans are
                # vermin", "I hate waiters") is abuse: the hate model's judgement counts
                # for abuse when no protected group or slur is named.
                hate = model[Category.DISCRIMINATION]
                if hate > probability and not _NAMES_GROUP.passes(folded.text):
                    probability, explained_by = hate, Category.DISCRIMINATION
            if probability < SCORE_FLOOR or probability <= scores[category]:
                continue
            if not MODEL_GATES[category].passes(folded.text):
                continue  # no word of the kind every real case has: the scorer abstains
            if probability < cut:
                scores[category] = max(scores[category], min(probability, BELOW_CUT_CAP))
                continue
            strongest = self.scorer.strongest(analysis, explained_by)
            if not strongest:
                continue  # nothing but function words behind the score: no finding
            if category is Category.ABUSE and _describes_things(strongest, folded.text):
                continue  # "Useless." on its own: said of a service as often as of a person
            spans = sorted({s for s in map(analysis.span, strongest) if s is not None})
            if spans and all(_excused(folded, category, start) for start, _ in spans):
                continue  # a victim reporting, or a lawful route named: acceptable
            if allowed is None:
                allowed = []
                if self.allow is not None and not self.allow.words.isdisjoint(analysis.words):
                    allowed = self.allow.covered(folded.text)
            if spans and allowed and all(AllowList.inside(a, b, allowed) for a, b in spans):
                continue  # only words of an allowed phrase ("magna cum laude")
            scores[category] = probability
            found.append(
                Finding(
                    category=category,
                    rule=f"{category.value}:model:" + ",".join(strongest),
                    score=probability,
                    spans=tuple(folded.span(a, b) for a, b in spans),
                    evidence="; ".join(folded.excerpt(a, b) for a, b in spans),
                )
            )
        return found


# The categories the scorer is trusted on, each with the words that must be present for
# it to count. The scorer learned from public data in which, for example, nearly every
# sentence naming a group was hateful (HateCheck) and nearly every threat named a weapon or
# an act of violence (ThreatGram), so on its own it flags "Muslims are welcome here" or a
# complaint that happens to say "fire". A gate asks for the kind of word every real case
# has (a violent act, a group or slur, an accusation, a personal detail) and leaves the
# scorer to judge the rest. Profanity is left to the word list, which is exact and explains
# itself. See README "Filters and how they were measured".
_VIOLENCE = (
    r"kill\w*|murder\w*|die|dies|died|dying|dead\w*|death\w*|(?<!well )(?<!oh )shoot\w*|shot|"
    r"guns?|stab\w*|"
    r"knife|knives|blades?|machetes?|hang\w*|hung|lynch\w*|bomb\w*|blow\w* (?:up|\w+ up)|"
    r"burn\w*|torch\w*|petrol|fire|beat\w*|batter\w*|punch\w*|smash\w*|hurt\w*|harm\w*|"
    r"attack\w*|slit\w*|strangl\w*|chok\w*|throttl\w*|hunt\w*|bullets?|execut\w*|"
    r"behead\w*|extermina\w*|wipe\w* (?:out|\w+ out)|gas\w*|"
    r"massacre\w*|acid|bat|bats|bricks?(?! (?:n|and|&) mortar)|hospital\w*|ambulance|kick\w*|"
    r"teeth|break\w*|bleed\w*|blood\w*|rap(?:e|ed|ing)|"
    r"shank\w*|slap\w*|regret\w*|violen\w*|destroy\w*|eliminat\w*|annihilat\w*|"
    r"watch (?:your|ur|his|her) back|know where|coming for|waiting for|accidents? happen"
)
_GROUP = (
    r"wom[ae]n|girls?|females?|gays?|lesbians?|homos?\w*|queers?|trans\w*|"
    r"muslims?|moslems?|islam\w*|jews?|jewish|hindus?|sikhs?|christians?|blacks?|whites?|"
    r"asians?|africans?|arabs?|chinese|mexicans?|immigra\w*|migrants?|foreign\w*|refugees?|"
    r"asylum|disabled|disabilit\w*|autis\w*|mental\w*|gyps\w*|travellers?|roma|poles|"
    r"polish|romanians?|race|racial|ethnic\w*|colou?red|religio\w*|feminis\w*|illegals?"
)
_SLUR = (
    r"nigg\w*|negro\w*|coons?|spics?|chinks?|paki\w*|kikes?|wetbacks?|gooks?|towelhead\w*|"
    r"raghead\w*|faggot\w*|fags?|dykes?|tranny|trannies|retard\w*|cripples?|spaz\w*|"
    r"mongs?|bitch\w*|hoes?|sluts?|whores?|cunts?|twats?|pussy|pussies|n\*+\w*|f\*+g\w*|"
    r"muzz?ies?|muzz?rats?|rapefugees?|jihadis?|camel ?(?:jockey|fucker)s?|shemales?|"
    r"darkies?|darky|wiggers?|beaners?|zipperheads?|yids?|chinky|chinkies|niggah\w*|"
    r"mongoloids?|queers?|trannys?|lesbo|battyman|batty man|bum ?boys?|gippos?|"
    r"towel ?heads?|sand ?niggers?|jungle bunn\w+|porch monkeys?|white trash|whitey|crackers?|"
    r"niccas?|uncle toms?|half ?breeds?"
)
_ACCUSATION = (
    r"corrupt\w*|fraud\w*|scam\w*|criminal\w*|crook\w*|steal\w*|stole\w*|theft|"
    r"thie[fv]\w*|illegal\w*|brib\w*|backhander\w*|kickback\w*|embezzl\w*|launder\w*|"
    r"pocketing|pocketed|fiddl\w*|falsif\w*|forged|forging|forgery|cover\w*[- ]?up|cheat\w*|"
    r"liars?|lying|bent|dodgy|paedo\w*|pedo\w*|nonce\w*|rigged|under the table|"
    r"in return for|in (?:the|each other'?s) pockets?|on the take|bungs?"
)
_PERSONAL = (
    r"lives?|living|home|house|address|street|road|close|postcode|\d{3,}|phone|mobile|"
    r"number|e-?mail|@|facebook|fb|insta\w*|tiktok|twitter|linkedin|snap\w*|whatsapp|"
    r"profile|account|page|record\w*|video\w*|film\w*|footage|audio|clip|youtube|post\w*|"
    r"shar\w*|upload\w*|publish\w*|viral|kids|children|husband|wife|partner|family|car|"
    r"school|gym|pub|follow\w*|doorstep|visit|photo\w*|pic\w*|tag\w*|message|dm"
)


# Hate names a group *and* says something hostile about it, or uses a slur (which the
# group pattern lists); naming a group kindly is what the scorer gets wrong most.
_HOSTILE = (
    r"hate\w*|scum\w*|vermin|filth\w*|dirt\w*|disgust\w*|vile|animals?|rats?|parasit\w*|"
    r"cockroach\w*|insects?|diseas\w*|plague|subhuman|inferior|trash|garbage|rubbish|"
    r"worthless|useless|evil|danger\w*|criminal\w*|rapists?|terroris\w*|thie[fv]\w*|"
    r"stupid|dumb|ugly|lazy|smell\w*|stink\w*|deport\w*|ban|banned|"
    r"go back|send (?:them|em) back|get out|kick\w* out|not welcome|(?:don'?t|do not) belong|"
    r"shouldn'?t|should not|should be|can'?t be trusted|never be|no place|"
    r"kill\w*|die|dies|dead|death|shoot\w*|hang\w*|gas\w*|burn\w*|exterminat\w*|"
    r"wipe\w* out|destroy\w*|sick\w*|freaks?|perver\w*|unnatural|mental\w*|retard\w*|"
    r"breed\w*|invad\w*|invasion|taking over|swamp\w*|flood\w*|queue|priority|benefits|"
    r"scroung\w*|sponge\w*|leech\w*|savage\w*|primitive|barbar\w*|backward|"
    r"belong in|place is|too many|enough of|sort of people|these people|those people|"
    r"all the same|worst|hell|kitchen|obey|property|lesser|suffer\w*|eradicat\w*|"
    r"end to|can'?t stand|sick\w*|monkey\w*|apes?|virus|ruin\w*|crime\w*|shit\w*|fuck\w*|"
    r"f\*+\w*|hog|pig\w*|dogs?|sterili\w*|refuse|respect|nothing but|just|spread\w*|"
    r"mad|truth|dumb\w*|half breed|lol|lmao|haha\w*|nasty|gross|weird\w*|problem\w*|"
    r"own country|country|go home|deport\w*|remove\w*|get rid|rid of|cleans\w*|purge\w*|"
    r"pests?|(?:never|can'?t|cannot|don'?t|do not|not|wouldn'?t|shouldn'?t) trust\w*|"
    r"better off|smarter|dumber|dirt|cancer\w*|worse|lower than|less than|"
    r"beneath|\w*sshole\w*|\w*rsehole\w*|bastards?|pricks?|wankers?|idiots?|morons?|"
    r"inbred|degenerate\w*|abomination\w*|freak\w*|ape\w*|savages?|worthless|vermin\w*|"
    r"genocide|nuke\w*|abus(?:e|ed|ing)|annoying|irritating|horrible|awful|terrible|repulsive|"
    r"revolting|jokes?|abnormal|satan\w*|devils?|pimps?|prostitut\w*|slave\w*|servitude|"
    r"humiliat\w*|uncivili[sz]ed|burden\w*|drain|pathetic|threat"
)


def _gate(words: str) -> re.Pattern[str]:
    r"""Any of the alternatives `words` as a whole word (of letters).

    Plain words ("die"), plain words with an optional "s" ("guns?") and word beginnings
    ("kill\w*") are compiled as two prefix trees, which the regex engine scans far faster
    than a few hundred alternatives; the others ("blow\w* (?:up|\w+ up)") stay as they are.
    Texts pass or fail alike either way (checked over the training and dev texts).
    """
    exact: list[str] = []
    prefixes: list[str] = []
    others: list[str] = []
    for alternative in _split_alternatives(words):
        if _PLAIN.fullmatch(alternative):
            exact.append(alternative)
        elif alternative.endswith("s?") and _PLAIN.fullmatch(alternative[:-2]):
            exact += [alternative[:-2], alternative[:-2] + "s"]
        elif alternative.endswith("\\w*") and _PLAIN.fullmatch(alternative[:-3]):
            prefixes.append(alternative[:-3])
        else:
            others.append(alternative)
    parts = [*others]
    if prefixes:
        parts.insert(0, trie(prefixes) + r"\w*")
    if exact:
        parts.insert(0, trie(exact))
    return re.compile(rf"(?<![a-z])(?:{'|'.join(parts)})(?![a-z])")


_PLAIN = re.compile(r"[a-z' ]+")


def _split_alternatives(words: str) -> list[str]:
    """The top-level alternatives of a regex alternation (not those inside groups)."""
    out, depth, start = [], 0, 0
    for index, char in enumerate(words):
        if char == "\\":
            continue
        if char == "(" and (index == 0 or words[index - 1] != "\\"):
            depth += 1
        elif char == ")" and words[index - 1] != "\\":
            depth -= 1
        elif char == "|" and depth == 0:
            out.append(words[start:index])
            start = index + 1
    out.append(words[start:])
    return out


# Harassment is about a member of staff: named in the config, described, or "he/she".
_STAFFISH = (
    r"he|she|him|her|his|hers|they|them|their|officers?|managers?|staff|surveyors?|"
    r"caretakers?|contractors?|directors?|ceo|chief|exec\w*|team|supervisors?|engineers?|"
    r"plumbers?|roofers?|inspectors?|workers?|operatives?|receptionists?|advis[oe]rs?"
)
# Abuse is aimed at people: someone addressed, named, or described.
_TARGET = (
    r"you|your|youre|you're|yours|yourself|yourselves|u|ur|ya|ye|he|she|him|her|his|hers|"
    r"they|them|their|theirs|@\w+|people|lot|staff|officers?|managers?|workers?|"
    r"contractors?|caretakers?|surveyors?|directors?|ceo|boss|team|woman|man|guy|bloke|lady|"
    r"lads?|girls?|boys?|family|neighbou?rs?|tenants?|residents?|idiots?|morons?|someone|"
    r"whoever|everyone|anyone|person|mate|love|pal"
)


@dataclass(frozen=True)
class _Gate:
    """Passes a text with any word of `either`, or with a word of each of `all_of`.

    With `short`, also a text of at most that many words: a reply of a word or three
    ("pig", "fuck yoiu", "what a dumb bot") is aimed at whoever it answers.
    """

    either: re.Pattern[str] | None = None
    all_of: tuple[re.Pattern[str], ...] = ()
    short: int = 0
    # The same searches, answered from the one-pass scan where it can.
    _either: QuickSearch | None = field(default=None, init=False, repr=False, compare=False)
    _all_of: tuple[QuickSearch, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.either is not None:
            object.__setattr__(self, "_either", QuickSearch(self.either, scan="scorer"))
        quick = tuple(QuickSearch(p, scan="scorer") for p in self.all_of)
        object.__setattr__(self, "_all_of", quick)

    def passes(self, text: str) -> bool:
        if self._either is not None and self._either.search(text):
            return True
        if self.short and len(_WORDS.findall(text, 0, 200)) <= self.short:
            return True
        return bool(self._all_of) and all(p.search(text) for p in self._all_of)


_WORDS = re.compile(r"[a-z0-9']+")


class _GroupGate(_Gate):
    """The hate gate, with names of groups also found misspelt ("womn", "Muslm", "blck")."""

    def passes(self, text: str) -> bool:
        if self._either is not None and self._either.search(text):
            return True
        group, hostile = self._all_of
        if not group.search(text) and GROUP_MISSPELT.isdisjoint(_WORDS.findall(text)):
            return False  # no group named
        if not hostile.search(text):
            return False
        # a hostile word, not negated ("no one deserves to die")
        return any(not _negated(text, m.start()) for m in hostile.pattern.finditer(text))


_NEGATOR = re.compile(
    r"(?:\b(?:no|not|never|nobody|no one|none|nothing|dont|doesnt|isnt|arent|wont|cant)\b|n't\b)"
    r"[^.!?;,]{0,30}$"
)


def _negated(text: str, start: int) -> bool:
    """Whether a negation comes shortly before `start`, in the same clause."""
    return _NEGATOR.search(text, max(0, start - 40), start) is not None


MODEL_GATES: dict[Category, _Gate] = {
    Category.ABUSE: _Gate(_gate(_TARGET), short=4),
    Category.THREAT: _Gate(_gate(_VIOLENCE)),
    Category.DISCRIMINATION: _GroupGate(
        _gate(_SLUR), (_gate(_GROUP), _gate(f"{_HOSTILE}|{_VIOLENCE}"))
    ),
    Category.ALLEGATION: _Gate(_gate(_ACCUSATION)),
    Category.HARASSMENT: _Gate(all_of=(_gate(_PERSONAL), _gate(_STAFFISH))),
}
MODEL_CATEGORIES: tuple[Category, ...] = tuple(MODEL_GATES)
# Someone named, addressed or described (the abuse gate without its short-reply clause).
_ADDRESSED = QuickSearch(_gate(_TARGET), scan="scorer")
# A protected group or a slur named at all: then hate is discrimination's to judge.
_NAMES_GROUP = _Gate(_gate(f"{_SLUR}|{_GROUP}"))
# The shipped cuts (config/default.yaml `scorer.cuts` repeats them, with the reasons).
DEFAULT_CUTS: dict[Category, float] = {
    Category.ABUSE: 0.85,
    Category.THREAT: 0.93,
    Category.DISCRIMINATION: 0.6,
    Category.ALLEGATION: 0.95,
    Category.HARASSMENT: 0.95,
}


@lru_cache(maxsize=2)
def _shipped_scorer(path: Path = DEFAULT_MODEL) -> LinearScorer:
    return LinearScorer.load(path)


def _describes_things(strongest: Sequence[str], text: str) -> bool:
    """Whether an abuse score rests only on words said of things as well as of people.

    Such words ("useless", "pathetic") count only with someone named or addressed.
    """
    if _ADDRESSED.search(text):
        return False
    words = {w.lstrip("~") for f in strongest for w in f[2:].split(" ")}
    return all(w in PERSON_ONLY or not has_content("w=" + w) for w in words)


def _excused(folded: Folded, category: Category, start: int) -> bool:
    """The context guards of the rules, applied to a scorer feature at `start`."""
    if is_reported_speech(folded, start) or is_mention(folded, start):
        return True
    return category is Category.THREAT and is_lawful_escalation(folded, start)
