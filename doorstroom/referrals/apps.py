from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "doorstroom.referrals"
    label = "referrals"
    verbose_name = "Aanmeldingen"
