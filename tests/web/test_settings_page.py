"""The settings page on SQLite and PostgreSQL: validation, the 90-day preview that must come
before a save, who saved what and when, and that a save changes what the bot does.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from bot.settings.saved import apply_saved_settings
from bot.storage import models as m
from filters.base import Category


def form(page_text: str) -> dict[str, str]:
    """The settings form's current values, as the browser would send them."""
    values = {
        key: value
        for key, value in re.findall(r'name="(thresholds\.\w+)" value="([^"]*)"', page_text)
    }
    for key, value in re.findall(r'name="(words\.\w+)"[^>]*>([^<]*)</textarea>', page_text):
        values[key] = value.replace("&#39;", "'")
    return values


def hidden(page_text: str) -> dict[str, str]:
    save = page_text[page_text.index('action="/settings/save"') :]
    save = save[: save.index("</form>")]
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', save))


def test_a_threshold_change_is_previewed_then_saved_in_the_name_of_who_saved_it(as_comms):
    page = as_comms.client.get("/settings")
    values = form(page.text)
    assert values["thresholds.abuse"] == "0.84" and "Dawn Pritchard" in values["words.staff_names"]
    assert "From the config file." in page.text and "Nothing saved here yet" in page.text
    values["thresholds.profanity"] = "0.99"  # swearing alone no longer counts
    preview = as_comms.post("/settings/preview", values, page="/settings")
    assert preview.status_code == 200
    assert "What would change over the last 90 days" in preview.text
    changed = int(re.search(r'id="changed-count">(\d+)<', preview.text).group(1))
    assert changed > 0
    assert "<code>thresholds.profanity</code> 0.95 → 0.99" in preview.text
    assert re.search(r"<th scope=\"row\">Hidden</th><td class=\"num\">(\d+)</td>", preview.text)
    with as_comms.store.session() as session:  # the preview touched nothing
        assert session.scalar(sa.select(sa.func.count()).select_from(m.SettingsChange)) == 0
    saved = as_comms.post(
        "/settings/save",
        {**hidden(preview.text), "note": "Too many angry complaints hidden for one swear word."},
        page="/settings",
    )
    assert saved.url.path == "/settings"
    assert "Settings saved (thresholds.profanity)" in saved.text
    assert "Saved by Priya Shah" in saved.text and "the config file says 0.95" in saved.text
    with as_comms.store.session() as session:
        row = session.scalar(sa.select(m.SettingsChange))
    assert (row.changed_by, row.role) == ("Priya Shah", "comms")
    assert row.changes == [{"key": "thresholds.profanity", "before": 0.95, "after": 0.99}]
    in_force = apply_saved_settings(as_comms.loaded, as_comms.store)
    assert in_force.settings.thresholds[Category.PROFANITY] == 0.99


def test_word_lists_are_saved_and_the_web_apps_own_pipeline_applies_them(as_comms):
    values = form(as_comms.client.get("/settings").text)
    values["words.allowed"] = "Cockermouth Road\nPenistone"
    preview = as_comms.post("/settings/preview", values, page="/settings")
    as_comms.post("/settings/save", {**hidden(preview.text), "note": ""}, page="/settings")
    pipeline = as_comms.client.app.state.pipeline
    pipeline.refresh_settings()
    assert pipeline.loaded.settings.words.allowed == ("Cockermouth Road", "Penistone")
    history = as_comms.client.get("/settings").text
    assert "Changes saved" in history and "Cockermouth Road, Penistone" in history


def test_bad_values_are_shown_beside_their_fields_and_nothing_is_previewed(as_comms):
    values = form(as_comms.client.get("/settings").text)
    values["thresholds.abuse"] = "2"
    values["thresholds.threat"] = "lots"
    values["words.staff_names"] = "Dawn Pritchard\n" + "x" * 90
    answer = as_comms.post("/settings/preview", values, page="/settings")
    assert answer.status_code == 400 and "There is a problem" in answer.text
    assert "Enter a number above 0 and at most 1" in answer.text
    assert "Enter a number from 0.01 to 1" in answer.text
    assert "Line 2 is longer than 80 characters" in answer.text
    assert 'href="#thresholds-abuse"' in answer.text  # the summary links to the field
    assert "What would change" not in answer.text
    assert 'value="lots"' in answer.text  # what they typed is kept


def test_a_save_must_carry_exactly_what_was_previewed(as_comms):
    values = form(as_comms.client.get("/settings").text)
    values["thresholds.abuse"] = "0.7"
    preview = as_comms.post("/settings/preview", values, page="/settings")
    sent = {**hidden(preview.text), "thresholds.abuse": "0.2"}
    answer = as_comms.post("/settings/save", sent, page="/settings")
    assert answer.status_code == 400 and "not the values you previewed" in answer.text
    unchanged = form(as_comms.client.get("/settings").text)
    preview = as_comms.post("/settings/preview", unchanged, page="/settings")
    assert "there is nothing to save" in preview.text
    assert 'action="/settings/save"' not in preview.text


def test_a_save_is_refused_if_someone_saved_after_the_preview(site):
    site.sign_in("comms")
    values = form(site.client.get("/settings").text)
    values["thresholds.abuse"] = "0.7"
    stale = hidden(site.post("/settings/preview", values, page="/settings").text)
    values["thresholds.abuse"] = "0.65"
    fresh = hidden(site.post("/settings/preview", values, page="/settings").text)
    assert site.post("/settings/save", fresh, page="/settings").status_code == 200
    answer = site.post("/settings/save", stale, page="/settings")
    assert answer.status_code == 400 and "someone else saved settings after your preview" in (
        answer.text.lower()
    )
    stale.pop("csrf_token")
    answer = site.client.post("/settings/save", data=stale)  # and without the form's token
    assert answer.status_code == 403
