"""The detect stage built from the config: the text classifier and the behaviour detectors.

Its own small module so `modbot classify`, `modbot eval` and `modbot scan` can build the
classifier without importing the database layer (start-up time matters when a comms officer
checks one text or a benchmark times a whole run).
"""

from __future__ import annotations

from datetime import timedelta

from bot.errors import FilterError
from bot.paths import shipped
from bot.settings.loading import LoadedConfig
from filters.base import BehaviourDetector
from filters.classifier import TextClassifier
from filters.contact_rate import ContactRateDetector, Window
from filters.demands import DemandsDetector
from filters.persistence import PersistenceDetector


def build_classifier(loaded: LoadedConfig) -> TextClassifier:
    """The text classifier with the config's word lists.

    Args:
        loaded: the loaded config; `words:` supplies extra swear words, allowed phrases and
            place names (never flagged as swearing) and the staff names to protect; `scorer:`
            switches the learned model on or off.

    Returns:
        A classifier ready to use; build it once and reuse it.

    Raises:
        FilterError: a word list or the shipped model cannot be read (named in the message).
    """
    words = loaded.settings.words
    scorer = loaded.settings.scorer
    try:
        return TextClassifier.build(
            shipped("words"),
            extra_profanity=words.extra_profanity,
            allowed=(*words.allowed, *words.place_names),
            staff_names=words.staff_names,
            model="shipped" if scorer.enabled else None,
            explain_from=loaded.settings.thresholds,
        )
    except (ValueError, OSError) as exc:
        raise FilterError(f"the filters cannot be loaded: {exc}") from None


def build_detectors(loaded: LoadedConfig) -> tuple[BehaviourDetector, ...]:
    """The behaviour detectors with the config's limits."""
    behaviour = loaded.settings.behaviour
    rate = behaviour.excessive_contact
    return (
        ContactRateDetector(
            (
                Window("hour", timedelta(hours=1), rate.per_hour),
                Window("day", timedelta(days=1), rate.per_day),
                Window("week", timedelta(days=7), rate.per_week),
            )
        ),
        PersistenceDetector(
            behaviour.persistence.similarity, behaviour.persistence.repeats_after_answer
        ),
        DemandsDetector(behaviour.demands.repeats, timedelta(days=behaviour.demands.within_days)),
    )
