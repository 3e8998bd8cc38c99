"""The demo's e-mails link to the topic's own region (moto writes us-east-1 into every link)."""
import pytest

from tickersim.local.mailbox import to_email

MOTO_URL = ("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
            "arn:aws:sns:us-east-1:123456789012:topic:2bcfbf39")


@pytest.mark.parametrize("region", ["eu-west-1", "ap-southeast-2", "us-east-1"])
def test_the_unsubscribe_link_names_the_topics_region_only(region):
    envelope = {"Subject": "s", "Message": "m", "UnsubscribeURL": MOTO_URL,
                "TopicArn": f"arn:aws:sns:{region}:123456789012:topic"}
    body = to_email(envelope, "ada@example.com").get_content()
    [link] = [line for line in body.splitlines() if "Action=Unsubscribe" in line]
    assert link.startswith(f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe")
    assert f"arn:aws:sns:{region}:123456789012:topic:2bcfbf39" in link
    others = {"us-east-1", "eu-west-1", "ap-southeast-2"} - {region}
    assert not any(other in body for other in others)


def test_an_envelope_without_a_topic_keeps_its_link():
    body = to_email({"Message": "m", "UnsubscribeURL": MOTO_URL}, "a@example.com").get_content()
    assert MOTO_URL in body
