from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.domain.codes import Role


class Outlet(models.Model):
    """A service outlet (网点) with its market tier (1–4, O-2/O-9)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    region = models.CharField(_("region"), max_length=80, blank=True)
    market_tier = models.PositiveSmallIntegerField(
        _("market tier"), default=1, choices=[(i, str(i)) for i in range(1, 5)]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person; roles are many (one person may be clerk and dispatcher)."""

    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    outlet = models.ForeignKey(
        Outlet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("outlet"),
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_set(self) -> frozenset[Role]:
        out = {Role(r) for r in (self.roles or []) if r in Role._value2member_map_}
        if self.is_superuser:
            out.add(Role.ADMIN)
        return frozenset(out)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set & set(roles))


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the plain token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=80, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        token = "as_" + secrets.token_urlsafe(30)
        row = cls.objects.create(user=user, name=name, digest=cls.hash(token), prefix=token[:8])
        return row, token
