"""Who a member of staff is when they act: a name and a role, checked against the profile.

There is no ladder of ranks: each step of a policy names the roles that may take it (a
Head of Service or a member of the Executive Team; exactly a member of the SMT), and only
roles the profile itself declares count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain import Role
from bot.errors import InputError, PermissionRefusedError

if TYPE_CHECKING:
    from bot.settings.profile import PolicyProfile


@dataclass(frozen=True, slots=True)
class Staff:
    """A named member of staff acting in a role; `account_id` is their staff account."""

    name: str
    role: Role
    account_id: int | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("say who you are (--by NAME): the register records decisions by name")

    def may(self, allowed: Iterable[Role | str], profile: PolicyProfile) -> bool:
        """Whether this person's role is one the profile declares and one of `allowed`."""
        return profile.permits(self.role, allowed)

    def require(self, allowed: Iterable[Role | str], what: str, profile: PolicyProfile) -> None:
        """Refuse unless this person's role is one of `allowed` under `profile`.

        Raises:
            PermissionRefusedError: naming who may, in the policy's words.
        """
        allowed = tuple(Role(r) for r in allowed)
        if self.may(allowed, profile):
            return
        if self.role not in profile.roles:
            raise PermissionRefusedError(
                f"{what} is for {profile.describe(allowed)}; the role {self.role.value} is not "
                f"one of the {profile.landlord} policy's roles "
                f"({', '.join(r.value for r in profile.roles)})"
            )
        raise PermissionRefusedError(
            f"{what} is for {profile.describe(allowed)} under the {profile.landlord} policy; "
            f"{self.name} acts as {profile.describe([self.role])}"
        )

    def same_person(self, other: str | None) -> bool:
        """Whether `other` names this person (case and spacing ignored)."""
        return bool(other) and _fold(self.name) == _fold(other or "")

    @property
    def audit(self) -> dict[str, object]:
        """What the audit trail records about who acted: the account and its role."""
        return {"staff_account": self.account_id, "role": self.role.value}


def _fold(name: str) -> str:
    return " ".join(name.lower().split())
