"""The pipeline and the replay moderate through one step, so they decide alike.

The settings preview is a replay: if it disagreed with the pipeline, a comms officer would
be shown a what-if the bot would not do. The shipped sample inbox (threats, abuse from
identified and unidentified accounts, a tenant with adjustments, repeated contact) is run
through real passes in small batches, then replayed with the same config.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import yaml

from bot.cli.demo import prepare
from bot.decide.replay import outcomes
from bot.paths import shipped
from bot.pipeline import Pipeline
from bot.settings.loading import load_config
from bot.storage import models as m
from tests.conftest import write_config


def test_the_replay_decides_every_contact_as_the_pipeline_did(tmp_path, store, clock):
    path = write_config(tmp_path, pipeline={"batch_size": 7})
    data = yaml.safe_load(path.read_text())
    data["connectors"]["local"]["inbox"] = str(shipped("samples", "inbox.jsonl"))
    path.write_text(yaml.safe_dump(data))
    loaded = load_config(path)
    prepare(loaded, store)
    pipeline = Pipeline(loaded, store, clock=clock)
    try:
        report = pipeline.run_once()
    finally:
        pipeline.close()
    assert report.decided == 45 and len(report.outcomes) > 4  # several kinds of outcome
    with store.session() as session:
        decided = dict(
            session.execute(
                sa.select(m.Decision.contact_id, m.Decision.outcome).join(
                    m.Contact, m.Contact.id == m.Decision.contact_id
                )
            ).all()
        )
    replayed = outcomes(store, loaded, since=clock() - timedelta(days=3650), now=clock())
    assert replayed == decided
