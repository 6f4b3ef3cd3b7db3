"""Every page and every form of the review pages through the ASGI app, on SQLite and
PostgreSQL, with the demo's data: what each shows, what each does through the services,
which roles each refuses (as the policy profile names), and bad input.
"""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from bot.domain import ActionKind, ActionState, Role
from bot.staff.accounts import set_role
from bot.storage import models as m


def one(store, query):
    with store.session() as session:
        return session.scalar(query)


def waiting(store, kind: ActionKind) -> m.Action:
    return one(
        store,
        sa.select(m.Action)
        .where(m.Action.kind == kind, m.Action.state == ActionState.AWAITING_APPROVAL)
        .order_by(m.Action.id),
    )


def outbox(site) -> list[dict]:
    path = site.loaded.settings.connectors["local"].outbox
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- the queue ------------------------------------------------------------------------


def test_the_queue_puts_the_most_severe_first_and_filters(as_comms):
    page = as_comms.client.get("/queue")
    assert page.status_code == 200
    first = page.text.index("Threat escalated")
    assert first < page.text.index("Formal warning") < page.text.index("Platform warning")
    assert "raydobbs77" in page.text and 'id="reversed-this-week">0<' in page.text
    only_x = as_comms.client.get("/queue?platform=x&state=all")
    assert "raydobbs77" in only_x.text and "tracey.hughes.7" not in only_x.text
    threats = as_comms.client.get("/queue?category=threat")
    assert "raydobbs77" in threats.text and "dean.hollis" not in threats.text
    approval = as_comms.client.get("/queue?state=awaiting_approval")
    assert "tracey.hughes.7" in approval.text and "gurpreet.sandhu" in approval.text
    assert "raydobbs77" not in approval.text
    newest = as_comms.client.get("/queue?sort=newest&state=all").text
    assert newest.index("Sat 21 Nov 2026") < newest.index("Mon 16 Nov 2026")
    nonsense = as_comms.client.get("/queue?state=<script>&category=nope&page=x&sort=up")
    assert nonsense.status_code == 200 and "<script>" not in nonsense.text


# --- a contact, and "this was wrong" ------------------------------------------------------


def test_a_contact_shows_its_matched_words_findings_clauses_and_why_not(as_comms):
    page = as_comms.client.get("/contacts/15")
    assert page.status_code == 200
    # The model's finding names the words that raised its score, each marked in the text.
    assert "<mark>watch</mark>" in page.text and "<mark>better</mark>" in page.text
    assert "threat:model:watch,better" in page.text
    assert "Policy: Unacceptable user action policy" in page.text  # the clause, cited
    assert "Why other rules did not apply" in as_comms.client.get("/contacts/8").text
    by_ref = as_comms.client.get(
        "/contacts/x:"
        + one(as_comms.store, sa.select(m.Contact.external_id).where(m.Contact.id == 15))
    )
    assert "Contact 15" in by_ref.text
    missing = as_comms.client.get("/contacts/99999")
    assert missing.status_code == 404 and "There is no contact 99999" in missing.text


def test_contact_text_handles_and_links_are_escaped(as_comms):
    with as_comms.store.begin() as session:
        contact = session.get(m.Contact, 21)
        contact.text = '<script>alert("x")</script> shit service <img src=x onerror=alert(1)>'
        contact.permalink = "javascript:alert(1)"
        session.get(m.Account, contact.account_id).handle = "<b>dean</b>"
    for path in ("/contacts/21", "/queue?state=all", f"/accounts/{contact.account_id}"):
        page = as_comms.client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>dean" not in page
        assert "&lt;b&gt;dean&lt;/b&gt;" in page
    assert "javascript:" not in as_comms.client.get("/contacts/21").text


def test_a_comms_officer_reverses_a_false_positive_and_the_hide_is_undone(as_comms):
    # Contact 21: "shit service as usual, nobody answers the phone about my leaking roof".
    answer = as_comms.post(
        "/contacts/21/reverse",
        {"reason": "A complaint about a leaking roof; the swearing is not at anyone."},
        page="/contacts/21",
    )
    assert answer.url.path == "/contacts/21"
    assert "Decision reversed as a false positive" in answer.text
    assert "Being undone on the platform now: unhide" in answer.text
    assert "Reversed as a false positive" in answer.text and "Priya Shah" in answer.text
    decision = one(as_comms.store, sa.select(m.Decision).where(m.Decision.contact_id == 21))
    assert decision.reversed_by == "Priya Shah" and not decision.incident
    unhide = one(
        as_comms.store,
        sa.select(m.Action).where(m.Action.contact_id == 21, m.Action.kind == ActionKind.UNHIDE),
    )
    assert unhide.state is ActionState.DONE  # carried out at once, through the runner
    assert [line["action"] for line in outbox(as_comms)] == ["unhide"]
    assert 'id="reversed-this-week">1<' in as_comms.client.get("/queue").text
    assert 'id="reversed-this-week">1<' in as_comms.client.get("/health").text
    again = as_comms.post("/contacts/21/reverse", {"reason": "again"}, page="/contacts/21")
    assert again.status_code == 400 and "already reversed by Priya Shah" in again.text


def test_a_reversal_needs_a_reason_and_a_role_that_decides(site):
    site.sign_in("comms")
    answer = site.post("/contacts/21/reverse", {"reason": "  "}, page="/contacts/21")
    assert answer.status_code == 400 and "needs your name and the reason" in answer.text
    assert "--reason" not in answer.text  # command-line hints are not for the browser
    answer = site.post("/contacts/99999/reverse", {"reason": "x"})
    assert answer.status_code == 400 and "Contact 99999 has no decision" in answer.text
    site.post("/signout", {})
    site.sign_in("admin")
    answer = site.post("/contacts/21/reverse", {"reason": "no"}, page="/contacts/21")
    assert answer.status_code == 403 and "reversing a decision is for" in answer.text.lower()
    assert (
        one(site.store, sa.select(m.Decision.reversed_at).where(m.Decision.contact_id == 21))
        is None
    )


# --- approvals --------------------------------------------------------------------------


def test_a_comms_officer_may_not_approve_a_formal_warning(as_comms):
    action = waiting(as_comms.store, ActionKind.FORMAL_WARNING)
    page = as_comms.client.get("/approvals")
    assert "Formal warning for tracey.hughes.7" in page.text
    assert "as a comms officer you may not" in page.text
    answer = as_comms.post(
        f"/approvals/{action.id}", {"decision": "approve", "note": "fine"}, page="/approvals"
    )
    assert answer.status_code == 403 and "You may not do that" in answer.text
    assert "is for a manager" in answer.text and "acts as a comms officer" in answer.text
    assert waiting(as_comms.store, ActionKind.FORMAL_WARNING).id == action.id


def test_a_manager_approves_a_formal_warning_and_it_is_sent(as_manager):
    action = waiting(as_manager.store, ActionKind.FORMAL_WARNING)
    page = as_manager.client.get("/approvals")
    assert f'action="/approvals/{action.id}"' in page.text and "Approve formal warning" in page.text
    answer = as_manager.post(
        f"/approvals/{action.id}",
        {"decision": "approve", "note": "Abuse continued after the warning.", "back": "/approvals"},
        page="/approvals",
    )
    assert answer.url.path == "/approvals"
    assert "Approved: formal warning for tracey.hughes.7" in answer.text
    done = one(as_manager.store, sa.select(m.Action).where(m.Action.id == action.id))
    assert done.state is ActionState.DONE and done.decided_by == "Sunita Rao"
    assert done.decision_note == "Abuse continued after the warning."
    sent = [line for line in outbox(as_manager) if line["action"] == "formal_warning"]
    assert len(sent) == 1 and "tracey" in json.dumps(sent[0])
    event = one(
        as_manager.store,
        sa.select(m.AuditEvent).where(
            m.AuditEvent.event == "approved", m.AuditEvent.subject_id == action.id
        ),
    )
    assert event.actor == "Sunita Rao" and event.detail["role"] == "manager"
    twice = as_manager.post(f"/approvals/{action.id}", {"decision": "approve"})
    assert twice.status_code == 400 and "not awaiting approval" in twice.text


def test_a_rejection_needs_a_reason_and_nothing_is_sent(as_manager):
    action = waiting(as_manager.store, ActionKind.FORMAL_WARNING)
    answer = as_manager.post(f"/approvals/{action.id}", {"decision": "reject", "note": ""})
    assert answer.status_code == 400 and "A rejection needs a reason." in answer.text
    answer = as_manager.post(f"/approvals/{action.id}", {"decision": "maybe"})
    assert answer.status_code == 400 and "Choose approve or reject" in answer.text
    answer = as_manager.post(
        f"/approvals/{action.id}", {"decision": "reject", "note": "Her adjustments apply."}
    )
    assert "Rejected: formal warning" in answer.text
    state = one(as_manager.store, sa.select(m.Action.state).where(m.Action.id == action.id))
    assert state is ActionState.REJECTED and outbox(as_manager) == []
    assert as_manager.post("/approvals/99999", {"decision": "approve"}).status_code == 400


def test_what_the_profile_reserves_to_a_head_of_service_a_manager_may_not_approve(site):
    action = waiting(site.store, ActionKind.PRIVATE_WARNING)
    with site.store.begin() as session:
        row = session.get(m.Action, action.id)
        row.approver_role = Role.HEAD_OF_SERVICE.value
        row.details = {**row.details, "approvers": [Role.HEAD_OF_SERVICE.value]}
    site.sign_in("manager")
    page = site.client.get("/approvals")
    assert "as a manager you may not" in page.text
    answer = site.post(f"/approvals/{action.id}", {"decision": "approve"}, page="/approvals")
    assert answer.status_code == 403 and "is for a Head of Service" in answer.text
    site.post("/signout", {})
    site.sign_in("head")
    answer = site.post(f"/approvals/{action.id}", {"decision": "approve", "note": "ok"})
    assert answer.status_code == 200 and "Approved: private warning" in answer.text


# --- reviews and appeals ----------------------------------------------------------------


def restriction(store) -> m.Restriction:
    return one(store, sa.select(m.Restriction))


def test_a_manager_records_a_review_a_comms_officer_may_not(site, web_clock):
    r = restriction(site.store)
    web_clock.now = r.review_due - timedelta(days=3)
    site.sign_in("comms")
    page = site.client.get("/due?within=14")
    assert f"Restriction {r.id} for" in page.text and "T-10355" in page.text
    answer = site.post(f"/reviews/{r.id}", {"outcome": "continue", "note": "still"}, page="/due")
    assert (
        answer.status_code == 403
        and "reviewing a restriction is for a manager" in answer.text.lower()
    )
    site.post("/signout", {})
    site.sign_in("manager")
    answer = site.post(f"/reviews/{r.id}", {"outcome": "sometimes", "note": "x"}, page="/due")
    assert answer.status_code == 400 and "Choose continue or end" in answer.text
    answer = site.post(f"/reviews/{r.id}", {"outcome": "continue", "note": ""}, page="/due")
    assert answer.status_code == 400 and "Record why" in answer.text
    answer = site.post(
        f"/reviews/{r.id}", {"outcome": "continue", "note": "Threats repeated."}, page="/due"
    )
    assert "continues; next review" in answer.text
    assert restriction(site.store).last_reviewed_at == web_clock.now


def test_an_appeal_is_recorded_and_heard_by_someone_who_did_not_decide(site, web_clock):
    r = restriction(site.store)  # approved by Sunita Rao (manager); the profile: a Director
    site.sign_in("comms")
    person = site.client.get("/people/T-10355")
    assert f'action="/cases/{r.case_id}/appeals"' in person.text
    bad = site.post(f"/cases/{r.case_id}/appeals", {"received": "last week"}, page="/people")
    assert bad.status_code == 400 and "give the date the appeal arrived" in bad.text.lower()
    answer = site.post(
        f"/cases/{r.case_id}/appeals",
        {"received": "2026-11-20", "back": "/people/T-10355"},
        page="/people",
    )
    assert answer.url.path == "/people/T-10355"
    assert "must decide it by Friday 18 December 2026" in answer.text  # 20 working days
    appeal = one(site.store, sa.select(m.Appeal))
    assert appeal.opened_by == "Priya Shah" and appeal.original_decider == "Sunita Rao"
    assert f"Appeal {appeal.id}" in site.client.get("/due?within=30").text
    answer = site.post(f"/appeals/{appeal.id}/decide", {"outcome": "upheld", "note": "x"})
    assert (
        answer.status_code == 403 and "deciding an appeal is for a director" in answer.text.lower()
    )
    site.post("/signout", {})
    # The manager who approved the restriction, now a Director, still may not hear it.
    with site.store.begin() as session:
        set_role(session, name="Sunita Rao", role=Role.DIRECTOR, by="t", now=web_clock())
    site.sign_in("manager")
    answer = site.post(f"/appeals/{appeal.id}/decide", {"outcome": "upheld", "note": "fine"})
    assert answer.status_code == 403
    assert "Sunita Rao decided action" in answer.text and "so cannot hear the appeal" in answer.text
    site.post("/signout", {})
    site.sign_in("director")
    answer = site.post(
        f"/appeals/{appeal.id}/decide",
        {"outcome": "overturned", "note": "Not a threat in context.", "back": "/due"},
    )
    assert "Appeal 1 decided: overturned; the person is sent it in writing." in answer.text
    assert restriction(site.store).ended_at is not None  # overturning ends it


# --- manual tasks and assessments -------------------------------------------------------


def test_a_comms_officer_routes_a_complaint_and_cannot_close_a_managers_task(site, web_clock):
    site.sign_in("comms")
    page = site.client.get("/tasks?role=comms")
    assert "Complaints to route to the right team" in page.text
    assert "Still no boiler" in page.text
    answer = site.post("/tasks/1", {"outcome": "not_needed", "note": ""}, page="/tasks")
    assert answer.status_code == 400 and "say why the task is not needed" in answer.text.lower()
    answer = site.post("/tasks/1", {"outcome": "done", "note": "Sent to repairs."}, page="/tasks")
    assert "Task 1 marked done." in answer.text
    task = one(site.store, sa.select(m.ManualTask).where(m.ManualTask.id == 1))
    assert task.state == "done" and task.closed_by == "Priya Shah"
    with site.store.begin() as session:
        session.add(
            m.ManualTask(
                kind="police_referral_decision",
                role="manager",
                instructions="Decide on a police referral.",
                state="open",
                created_at=web_clock(),
            )
        )
    manager_task = one(site.store, sa.select(sa.func.max(m.ManualTask.id)))
    assert "you may not close it" in site.client.get("/tasks").text
    answer = site.post(f"/tasks/{manager_task}", {"outcome": "done"}, page="/tasks")
    assert answer.status_code == 403 and "is for a manager" in answer.text
    assert site.post("/tasks/1", {"outcome": "done"}).status_code == 400  # already done


def add_assessment(store, clock) -> int:
    with store.begin() as session:
        formal = session.scalar(
            sa.select(m.Action).where(m.Action.kind == ActionKind.FORMAL_WARNING)
        )
        action = m.Action(
            decision_id=formal.decision_id,
            contact_id=formal.contact_id,
            case_id=formal.case_id,
            kind=ActionKind.ASSESSMENT,
            state=ActionState.MANUAL_TASK,
            idempotency_key="test:assessment",
            clause_ref="6.5.3",
            clause_title="Assessment",
            reason="The behaviour continued after a formal warning.",
            created_at=clock(),
            updated_at=clock(),
        )
        session.add(action)
        session.flush()
        task = m.ManualTask(
            action_id=action.id,
            contact_id=formal.contact_id,
            kind="assessment",
            role="manager",
            instructions="Complete the Unacceptable Behaviour Assessment.",
            state="open",
            created_at=clock(),
        )
        session.add(task)
        session.flush()
        return task.id


def test_a_manager_concludes_an_assessment_and_a_restriction_goes_for_approval(site, web_clock):
    task_id = add_assessment(site.store, web_clock)
    site.sign_in("comms")
    answer = site.post(
        f"/tasks/{task_id}/assessment", {"outcome": "unacceptable", "note": "x"}, page="/tasks"
    )
    assert answer.status_code == 403 and "an assessment is for a manager" in answer.text.lower()
    site.post("/signout", {})
    site.sign_in("manager")
    page = site.client.get("/tasks")
    assert f'action="/tasks/{task_id}/assessment"' in page.text
    assert 'value="single_point_of_contact"' in page.text
    answer = site.post(
        f"/tasks/{task_id}/assessment",
        {"outcome": "unacceptable", "protocol": ["bogus"], "note": "Three incidents."},
        page="/tasks",
    )
    assert answer.status_code == 400 and "unknown protocol bogus" in answer.text.lower()
    answer = site.post(
        f"/tasks/{task_id}/assessment",
        {
            "outcome": "unacceptable",
            "protocol": ["single_point_of_contact", "one_contact_method"],
            "note": "Three incidents in two weeks, after a formal warning.",
        },
        page="/tasks",
    )
    assert "The restriction now waits for a head of service" in answer.text
    proposal = waiting(site.store, ActionKind.RESTRICTION)
    assert proposal.approver_role == "head-of-service"
    assert proposal.details["protocol"] == ["single_point_of_contact", "one_contact_method"]
    assert "Restriction for tracey.hughes.7" in site.client.get("/approvals").text


# --- people and accounts ----------------------------------------------------------------


def test_a_person_page_shows_accounts_adjustments_and_history(as_comms):
    page = as_comms.client.get("/people/T-10777")
    assert "Gurpreet Sandhu" in page.text
    assert "Anxiety; communicates through a support worker" in page.text
    assert "gurpreet.sandhu" in page.text and "verified" in page.text
    assert "The leak through my ceiling" in page.text
    tracey = as_comms.client.get("/people/T-10231")
    assert "confirmed by staff" in tracey.text and "tracey.hughes.7" in tracey.text
    assert "initial warning" in tracey.text  # the register's warnings
    ray = as_comms.client.get("/people/T-10355")
    assert "Restrictions in force" in ray.text and "review due" in ray.text
    found = as_comms.client.get("/people?ref=t-10231")
    assert found.url.path == "/people/T-10231"
    missing = as_comms.client.get("/people?ref=T-00000")
    assert "There is no tenancy T-00000" in missing.text
    assert as_comms.client.get("/people/T-00000").status_code == 404
    assert as_comms.client.get("/accounts/99999").status_code == 404


def connection(store) -> m.AccountConnection:
    return one(store, sa.select(m.AccountConnection))


def test_suspected_connections_are_confirmed_or_dismissed_by_staff_with_a_note(site):
    c = connection(site.store)
    site.sign_in("admin")
    answer = site.post(f"/connections/{c.id}", {"decision": "dismiss", "note": "x"})
    assert answer.status_code == 403
    site.post("/signout", {})
    site.sign_in("comms")
    people = site.client.get("/people")
    assert "brookmere_watch" in people.text and "Brookmere Watch" in people.text
    account = site.client.get(f"/accounts/{c.account_id}")
    assert "Alias log" in account.text and f'action="/connections/{c.id}"' in account.text
    answer = site.post(f"/connections/{c.id}", {"decision": "dismiss", "note": ""})
    assert answer.status_code == 400 and "needs your name and a note" in answer.text
    answer = site.post(
        f"/connections/{c.id}",
        {"decision": "dismiss", "note": "Different writing style.", "back": "/people"},
    )
    assert answer.url.path == "/people" and "dismissed" in answer.text
    decided = connection(site.store)
    assert decided.state.value == "dismissed" and decided.decided_by == "Priya Shah"
    again = site.post(f"/connections/{c.id}", {"decision": "confirm", "note": "oops"})
    assert again.status_code == 400


def test_a_suspected_link_is_confirmed_from_the_person_page(as_comms, web_clock):
    from bot.identify.links import add_link
    from bot.storage.models import LinkState

    with as_comms.store.begin() as session:
        link = add_link(
            session,
            platform="reddit",
            platform_user_id="t2_ghost",
            handle="estate_ghost",
            tenancy_ref="T-10231",
            state=LinkState.SUSPECTED,
            made_by="modbot",
            note="tenancy reference mentioned",
            now=web_clock(),
        )
        link_id = link.id
    page = as_comms.client.get("/people/T-10231")
    assert f'action="/links/{link_id}/confirm"' in page.text
    assert "Suspected links to tenancies" in as_comms.client.get("/people").text
    answer = as_comms.post(f"/links/{link_id}/confirm", {"note": ""})
    assert answer.status_code == 400
    answer = as_comms.post(
        f"/links/{link_id}/confirm",
        {"note": "She told us on the phone.", "back": "/people/T-10231"},
    )
    assert "Link confirmed: estate_ghost is T-10231." in answer.text


# --- health -------------------------------------------------------------------------------


def test_health_shows_connectors_jobs_and_runs_what_is_due(as_manager):
    page = as_manager.client.get("/health")
    assert "local-week2" in page.text and "No scheduler has run" in page.text
    assert "poll:local-week2" in page.text and "reminders" in page.text, page.text[-4000:]
    action = waiting(as_manager.store, ActionKind.FORMAL_WARNING)
    with as_manager.store.begin() as session:  # approved elsewhere (e.g. the command line)
        session.get(m.Action, action.id).state = ActionState.APPROVED
    answer = as_manager.post("/health/run", {}, page="/health")
    assert "Carrying out what is due now" in answer.text
    assert [line["action"] for line in outbox(as_manager)] == ["formal_warning"]


HUGE = str(2**64 + 5)  # more than any database id can hold


def test_ids_too_large_for_the_database_are_not_found_not_a_crash(as_manager):
    site = as_manager
    for path in (f"/contacts/{HUGE}", f"/accounts/{HUGE}", "/accounts/not-a-number"):
        answer = site.client.get(path)
        assert answer.status_code == 404, path
        assert "Not found" in answer.text or "no contact" in answer.text
    posts = (
        f"/approvals/{HUGE}",
        f"/tasks/{HUGE}",
        f"/tasks/{HUGE}/assessment",
        f"/reviews/{HUGE}",
        f"/appeals/{HUGE}/decide",
        f"/cases/{HUGE}/appeals",
        f"/links/{HUGE}/confirm",
        f"/connections/{HUGE}",
        f"/contacts/{HUGE}/reverse",
    )
    for path in posts:
        answer = site.post(path, {"decision": "approve", "reason": "x"}, follow=False)
        assert answer.status_code == 404, path


def test_the_health_page_lists_items_set_aside(as_comms, web_clock):
    from bot.ingest.contacts import store_contacts
    from platforms.base import SetAside

    organisation = as_comms.loaded.settings.organisation
    item = SetAside("line 7", "not valid JSON (Expecting value at column 1)", "{oops <b>")
    store_contacts(
        as_comms.store,
        [],
        organisation=organisation,
        now=web_clock,
        connector="local",
        set_aside=[item],
    )
    page = as_comms.client.get("/health")
    assert page.status_code == 200 and "Items set aside" in page.text
    assert "line 7" in page.text and "not valid JSON" in page.text
    assert "{oops &lt;b&gt;" in page.text
