from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "aftersales.accounts"
    label = "accounts"
    verbose_name = _("People and outlets")
