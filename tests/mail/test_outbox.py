"""The outbox and its worker, delivering to a real SMTP server."""

from __future__ import annotations

import threading
from datetime import timedelta
from email import policy
from email.parser import BytesParser

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import delete, func, select, update

from petition.campaigns.signable import signable
from petition.extensions import db
from petition.mail.messages import Email
from petition.mail.sending import claim_batch, deliver_due, retry_delay
from petition.mail.transport import PermanentFailure, build_message
from petition.models import OutboxMessage, OutboxStatus, Signature
from petition.models.types import utcnow
from petition.signing.services import SignatureRequest, request_signature
from tests.factories import make_campaign
from tests.pages import send_mail, sign


@pytest.fixture
def campaign(app):
    return make_campaign()


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def make_due_now() -> None:
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()


def queue_signatures(campaign, count: int, first: int = 0) -> None:
    """`count` signing requests, from signer<first>@example.org on; each queues its mail."""
    kept = signable(campaign.slug, None, "en")
    for number in range(first, first + count):
        wish = SignatureRequest(
            name=f"Signer {number}",
            email=f"signer{number}@example.org",
            country="LT",
            city=None,
            display="full",  # type: ignore[arg-type]
            wants_updates=False,
            lang="en",
            statement_sha256=campaign.texts["en"].sha256,
        )
        request_signature(kept, wish, client_hash=None)
    db.session.commit()


def test_outbox_row_rolls_back_with_the_signature(campaign):
    queue_signatures(campaign, 0)
    wish = SignatureRequest("A", "a@example.org", "UA", None, "full", False, "en", "x")  # type: ignore[arg-type]
    request_signature(signable(campaign.slug, None, "en"), wish, client_hash=None)
    db.session.rollback()
    assert outbox() == []
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_mail_is_multipart_in_the_signers_language_without_remote_content(
    client, campaign, mailbox
):
    sign(client, lang="ru", email="ivan@example.org", name="Иван Тестов")
    assert send_mail() == 1
    [message] = mailbox.to("ivan@example.org")
    assert message["From"] == "Campaign <campaign@example.org>"
    types = {part.get_content_type() for part in message.walk()}
    assert {"multipart/alternative", "text/plain", "text/html"} <= types
    html = mailbox.html_of(message)
    text = mailbox.text_of(message)
    with force_locale("ru"):
        assert text.startswith(gettext("Hello,"))
    assert "Иван" not in text  # the mail is built from the outbox row, not the sealed name
    assert 'lang="ru"' in html
    for remote in ("<img", "src=", "url(", "utm_", "<script"):
        assert remote not in html.lower()
    assert "free-them" not in message["Subject"]
    assert outbox()[0].status is OutboxStatus.SENT
    assert outbox()[0].recipient is None


def test_temporary_refusal_is_retried_later_and_then_delivered(client, campaign, mailbox):
    mailbox.refusals.append(451)
    sign(client)
    send_mail()
    [message] = outbox()
    assert message.status is OutboxStatus.QUEUED
    assert message.attempts == 1
    assert message.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert "451" in (message.last_error or "")
    assert mailbox.to("olena@example.org") == []

    assert send_mail() == 0  # not due yet
    make_due_now()
    assert send_mail() == 1
    assert len(mailbox.to("olena@example.org")) == 1
    assert outbox()[0].status is OutboxStatus.SENT


def test_permanent_refusal_is_recorded_and_not_retried(client, campaign, mailbox):
    mailbox.refusals.append(550)
    sign(client)
    send_mail()
    [message] = outbox()
    assert message.status is OutboxStatus.FAILED
    assert "550" in (message.last_error or "")
    assert message.recipient is None
    make_due_now()
    assert send_mail() == 0


@pytest.mark.parametrize("app_config", [{"MAIL_PORT": 1}])
def test_smtp_down_then_back_loses_nothing(client, campaign, mailbox, app):
    queue_signatures(campaign, 3)
    send_mail()
    assert all(m.status is OutboxStatus.QUEUED and m.attempts == 1 for m in outbox())

    app.config["MAIL_PORT"] = mailbox.port  # the server is back
    make_due_now()
    assert send_mail() == 3
    assert {str(m["To"]) for m in mailbox.messages} == {f"signer{n}@example.org" for n in range(3)}


def test_backoff_grows_and_is_capped():
    delays = [retry_delay(attempt) for attempt in range(1, 15)]
    assert delays == sorted(delays)
    assert delays[0] == timedelta(seconds=30)
    assert delays[-1] == timedelta(hours=2)


def test_a_worker_that_dies_after_claiming_leaves_its_batch_for_later(campaign, mailbox):
    queue_signatures(campaign, 2)
    claimed = claim_batch()  # a worker claims, then is killed before sending
    assert len(claimed) == 2
    assert deliver_due() == 0  # leased: another worker leaves them alone
    make_due_now()  # the lease runs out
    assert deliver_due() == 2
    assert len(mailbox.messages) == 2


def test_parallel_workers_send_each_message_once(app, campaign, mailbox):
    queue_signatures(campaign, 40)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                deliver_due()
                db.session.remove()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    recipients = [str(m["To"]) for m in mailbox.messages]
    assert len(recipients) == 40
    assert len(set(recipients)) == 40
    assert all(m.status is OutboxStatus.SENT for m in outbox())


@pytest.mark.parametrize("app_config", [{"MAIL_SERVER": None}])
def test_without_mail_server_mail_is_printed_and_saved(client, campaign, app, tmp_path, capsys):
    app.instance_path = str(tmp_path)
    sign(client)
    result = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 message(s) handled." in result.output
    [saved] = list((tmp_path / "mail").glob("*.eml"))
    raw = saved.read_text()
    assert "olena@example.org" in raw
    assert "/en/confirm/" in capsys.readouterr().out + result.output


def test_a_message_deleted_while_it_is_being_sent_does_not_stop_the_worker(app, campaign, mailbox):
    queue_signatures(campaign, 2)
    first, second = (m.id for m in outbox())

    def withdrawal_meanwhile() -> None:
        mailbox.during_delivery = None
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.id == first))
            db.session.commit()

    mailbox.during_delivery = withdrawal_meanwhile
    assert deliver_due() == 2
    assert [m.id for m in outbox()] == [second]
    assert outbox()[0].status is OutboxStatus.SENT


def test_a_slow_batch_hands_back_what_it_has_not_reached(app, campaign, mailbox, clock):
    queue_signatures(campaign, 3)

    def slow_server() -> None:
        clock.advance(minutes=1, seconds=1)  # the first message took more than half a lease

    mailbox.during_delivery = slow_server
    assert deliver_due() == 3  # one sent, two handed back and then claimed again
    assert len(mailbox.messages) == 3
    assert all(m.status is OutboxStatus.SENT for m in outbox())


def test_mail_bytes_parse_back_to_what_was_rendered(app):
    long_line = "word " * 400  # longer than SMTP allows on one line: goes quoted-printable
    email = Email(
        recipient="ivan@example.org",
        subject="Подтвердите адрес — " + "очень " * 30,
        text=f"Привет,\n.a line with a leading dot\r\n{long_line}",
        html="<p>Привет</p>\n<p>ok</p>",
        headers={"List-Unsubscribe": "<http://localhost/x>"},
    )
    raw = build_message(email).as_bytes()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed.get_content_type() == "multipart/alternative"
    assert str(parsed["Subject"]) == email.subject
    assert str(parsed["To"]) == "ivan@example.org"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["List-Unsubscribe"] == "<http://localhost/x>"
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert text["Content-Transfer-Encoding"] == "quoted-printable"
    assert html["Content-Transfer-Encoding"] == "8bit"
    assert unix_lines(text.get_content()) == unix_lines(email.text)
    assert unix_lines(html.get_content()) == unix_lines(email.html)


def unix_lines(content: str) -> str:
    return content.replace("\r\n", "\n")


def test_a_header_cannot_be_injected(app):
    email = Email("a@example.org", "Hi\r\nBcc: b@example.org", "text", "<p>html</p>")
    with pytest.raises(PermanentFailure, match="line break"):
        build_message(email)
