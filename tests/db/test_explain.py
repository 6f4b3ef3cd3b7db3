"""`modbot explain` shows the scores the decision used, against the thresholds then in force
(issue #13 item 13), on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from rich.console import Console

from bot.cli.views import explanation
from bot.pipeline import Pipeline
from bot.register.explain import explain
from bot.settings.loading import load_config
from filters.base import Category
from tests.conftest import write_config
from tests.scripted import ScriptedClassifier

TEXT = "You lot are scum"


def test_explain_shows_the_scores_and_thresholds_the_decision_used(tmp_path, store, clock):
    inbox = tmp_path / "inbox.jsonl"
    row = {
        "id": "c1",
        "platform": "facebook",
        "kind": "comment",
        "author": {"id": "u1", "handle": "someone"},
        "text": TEXT,
        "created_at": clock().isoformat(),
    }
    inbox.write_text(json.dumps(row) + "\n")
    loaded = load_config(write_config(tmp_path, thresholds={"abuse": 0.7}))
    classifier = ScriptedClassifier({TEXT: ([Category.ABUSE], [])})
    Pipeline(loaded, store, clock=clock, classifier=classifier).run_once()
    console = Console(record=True, width=200)
    with store.session() as session:
        console.print(explanation(explain(session, "facebook:c1"), loaded.profile))
    shown = console.export_text()
    lines = [" ".join(line.replace("│", " ").split()) for line in shown.splitlines()]
    assert "abuse 0.99 0.70 counts" in lines
    assert "threat 0.00 0.83 below" in lines
    assert "needs a manager, a Head of Service or a Director" not in shown  # nothing waits
