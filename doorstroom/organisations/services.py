"""Accounts: the second factor of a staff member."""

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


def totp_device_to_confirm(user: User) -> TOTPDevice:
    """The authenticator-app device a user is setting up (created on first use, unconfirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)
    return device


def totp_device_confirm(device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def recovery_codes_issue(user: User, count: int = 5) -> list[str]:
    """Fresh one-time recovery codes (the old ones stop working)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="Herstelcodes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def demo_totp_secret(user: User) -> str:
    """Ensure a confirmed authenticator device for a demo account; return its base32 secret."""
    import base64

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    return base64.b32encode(device.bin_key).decode()
