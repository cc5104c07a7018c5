"""The channels a message leaves the building by, behind one small interface.

Each channel answers two questions: the address of a person on it (None: they cannot be reached
there, the delivery is not made) and `send` (raises ChannelError to have the delivery retried).

- in the app: nothing leaves; the message is on the person's messages page and home to-dos;
- e-mail: Django's mail backend (`EMAIL_BACKEND`; the tests' locmem outbox is the double);
- 企业微信 group robot: a POST of a text to the kindergarten's group webhook
  (`HOUQIN_WECOM_WEBHOOKS="demo=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"`), naming the
  person by their mobile number so that the group robot @-mentions them;
- SMS: a gateway adapter named by `HOUQIN_SMS_GATEWAY` (a dotted path to a class with
  `send(phone, text)`); none configured: the channel is not offered.

`RecordingTransport` is the test double of the two outside services: it records what would be sent.
"""

from __future__ import annotations

import json
import urllib.request
from functools import lru_cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from houqin.notices.models import Channel

TIMEOUT = 10  # seconds for one call to an outside service


class ChannelError(Exception):
    """A send that did not go through: the delivery waits and is tried again."""


class RecordingTransport:
    """Test double for the 企业微信 webhook and the SMS gateway: keeps what would be sent."""

    sent: list[dict] = []

    def post(self, url: str, payload: dict) -> dict:
        type(self).sent.append({"url": url, "payload": payload})
        return {"errcode": 0, "errmsg": "ok"}

    def send(self, phone: str, text: str) -> None:
        type(self).sent.append({"phone": phone, "text": text})

    @classmethod
    def clear(cls):
        cls.sent.clear()


class HttpTransport:
    """POSTs JSON to a webhook and returns the JSON answer."""

    def post(self, url: str, payload: dict) -> dict:
        request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (configured https URL)
                return json.loads(response.read().decode() or "{}")
        except (OSError, ValueError) as exc:
            raise ChannelError(str(exc)[:200]) from exc


def _text(message) -> str:
    link = f"\n{settings.HOUQIN_SITE_URL.rstrip('/')}{message.url}" if message.url and settings.HOUQIN_SITE_URL else ""
    return f"{message.title}\n{message.body}{link}".strip()


class InApp:
    channel = Channel.IN_APP

    def address(self, user, kindergarten) -> str | None:
        return "app"

    def send(self, message, address: str) -> None:
        return None  # the message row is what the app shows


class Email:
    channel = Channel.EMAIL

    def address(self, user, kindergarten) -> str | None:
        return user.email or None

    def send(self, message, address: str) -> None:
        try:
            send_mail(message.title, _text(message), None, [address])
        except OSError as exc:  # SMTP refused, connection lost: try again later
            raise ChannelError(str(exc)[:200]) from exc


def wecom_webhook(kindergarten) -> str | None:
    """The kindergarten's 企业微信 group webhook from `HOUQIN_WECOM_WEBHOOKS` (slug=url, comma-separated)."""
    for item in (settings.HOUQIN_WECOM_WEBHOOKS or "").split(","):
        slug, _sep, url = item.strip().partition("=")
        if slug == kindergarten.slug and url:
            return url
    return None


class WeComRobot:
    channel = Channel.WECOM

    def __init__(self, transport=None):
        self.transport = transport or import_string(settings.HOUQIN_WECOM_TRANSPORT)()

    def address(self, user, kindergarten) -> str | None:
        return user.phone if user.phone and wecom_webhook(kindergarten) else None

    def send(self, message, address: str) -> None:
        url = wecom_webhook(message.kindergarten)
        if not url:
            raise ChannelError("no webhook")
        answer = self.transport.post(url, {"msgtype": "text", "text": {
            "content": _text(message), "mentioned_mobile_list": [address]}})
        if answer.get("errcode") not in (0, None):
            raise ChannelError(f"{answer.get('errcode')} {answer.get('errmsg', '')}"[:200])


class Sms:
    channel = Channel.SMS

    def __init__(self, gateway=None):
        path = settings.HOUQIN_SMS_GATEWAY
        self.gateway = gateway or (import_string(path)() if path else None)

    def address(self, user, kindergarten) -> str | None:
        return user.phone if user.phone and self.gateway is not None else None

    def send(self, message, address: str) -> None:
        try:
            self.gateway.send(address, f"{message.title}：{message.body}"[:300])
        except OSError as exc:
            raise ChannelError(str(exc)[:200]) from exc


@lru_cache(maxsize=1)
def _adapters() -> dict:
    return {a.channel: a for a in (InApp(), Email(), WeComRobot(), Sms())}


def adapter(channel: str):
    return _adapters()[channel]


def reset():
    """Forget the adapters (tests that change the channel settings)."""
    _adapters.cache_clear()


def offered(kindergarten) -> list[str]:
    """The channels a person may choose in this kindergarten besides the app (always on)."""
    result = [Channel.EMAIL]
    if wecom_webhook(kindergarten):
        result.append(Channel.WECOM)
    if settings.HOUQIN_SMS_GATEWAY:
        result.append(Channel.SMS)
    return result
