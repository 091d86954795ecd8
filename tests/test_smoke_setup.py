from tests.factories import make_campaign
from tests.pages import link_in, path_of, send_mail, sign


def test_sign_confirm_roundtrip(client, mailbox):
    make_campaign()
    response = sign(client)
    assert response.status_code == 302
    assert send_mail() == 1
    [message] = mailbox.to("olena@example.org")
    url = link_in(mailbox.text_of(message))
    page = client.get(path_of(url))
    assert page.status_code == 200
