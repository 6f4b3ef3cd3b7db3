"""What the writer says in their own voice, apart from what they pass on or give of their own.

Two things in a resident's message look like the unacceptable thing and are not (issue #12,
"context both ways"):

* **someone else's words reported by the person they were aimed at**: "he shouted that he'd
  kill my dog", "she called my son a ..." is a victim telling the landlord, not a threat or
  abuse by the writer. A reported clause counts as received when it is about the writer
  (I, me, my, we, us, our) and not about the reader (you, your): "my mate said he'd sort
  you out" passes a threat on and stays the writer's;
* **the writer's own contact details**: "call me on 07700 900123", "I live at 14 Alder
  Close": giving one's own number or address is how a repair gets booked; only a member of
  staff's details published or hunted is harassment.

`own_voice` returns the text without those parts, for the classifier to score as well: a
category counts only as far as the writer's own words carry it. It works on the prepared
text (`filters.model.prepare`: lower case, structure as placeholder words).
"""

from __future__ import annotations

import re

from filters.model import REPORT_SCOPE, REPORTERS, REPORTING

_WRITER = frozenset(["i", "i'm", "i've", "i'd", "me", "my", "mine", "we", "we're", "us", "our"])
# "who shouted at my mum" describes a person; it does not report what they said.
_THIRD_PERSON = REPORTERS - {"who"}
_AGAIN = frozenset(["and", "so", "but", "because", "then"])
_READER = frozenset(["you", "your", "you're", "yours", "ya", "yer", "u", "ur"])
_CLAUSE = re.compile(r"[.!?;:,\n]|\bbut\b")
_WORD = re.compile(r"[a-z0-9'’]+")
_DETAIL = r"(?:xphonex|xemailx|xaddressx|xpostcodex|xregx)"
# "call me on X", "my number is X", "I live at X", "text my husband on X", "I'm at X, Y".
_OWN_DETAILS = re.compile(
    r"\b(?:(?:call|ring|phone|text|contact|reach|email|e-mail|message|whatsapp)\s+"
    r"(?:me|us|my\s+\w+)(?:\s+back)?\s+(?:on|at)"
    r"|(?:my|our)\s+(?:\w+\s+)?(?:number|mobile|phone|landline|address|email|e-mail|reg|"
    r"registration|postcode)(?:\s+(?:is|are|:))?"
    r"|(?:i|we)\s+live\s+(?:at|in)|(?:i'm|i\s+am|we're|we\s+are)\s+(?:at|in)"
    r"|(?:i'm|i\s+am)\s+on)"
    rf"[\s,:]*(?:(?:flat|no\.?|number)\s*\w*[\s,]*)?{_DETAIL}(?:[\s,]*(?:and\s+)?{_DETAIL})*"
)


def own_voice(prepared_text: str) -> str | None:
    """The text without reported words received and the writer's own details.

    None when the text has neither.
    """
    kept = _without_reports(_OWN_DETAILS.sub(" ", prepared_text))
    return kept if kept != prepared_text else None


def _without_reports(text: str) -> str:
    """Drop the words each third person is reported to have said about the writer.

    The reported part runs from the reporting verb for at most `REPORT_SCOPE` words, to the
    end of the clause or to where the writer speaks again ("... and I ..."). Nothing is set
    aside when the writer agrees with what was said.
    """
    if "agree" in text:
        return text
    out: list[str] = []
    at = 0
    for start, end in _clauses(text):
        words = [(m.group().replace("’", "'"), m.end()) for m in _WORD.finditer(text, start, end)]
        for i, (word, verb_end) in enumerate(words):
            subject = {w for w, _ in words[max(0, i - 2) : i]}
            if word not in REPORTING or not subject & _THIRD_PERSON:
                continue
            said = words[i + 1 : i + 1 + REPORT_SCOPE]
            for k in range(len(said) - 1):
                if said[k][0] in _AGAIN and said[k + 1][0] in _WRITER:
                    said = said[:k]
                    break
            heard = {w for w, _ in said}
            if said and heard & _WRITER and not heard & _READER:
                out.append(text[at:verb_end])
                at = said[-1][1]
            break
    out.append(text[at:])
    return "".join(out)


def _clauses(text: str) -> list[tuple[int, int]]:
    """The ranges between clause ends (punctuation, "but")."""
    ranges = []
    start = 0
    for match in _CLAUSE.finditer(text):
        ranges.append((start, match.start()))
        start = match.end()
    ranges.append((start, len(text)))
    return ranges
