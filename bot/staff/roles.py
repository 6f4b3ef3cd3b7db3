"""Who a member of staff is when they act: a name and a role, checked against the profile."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Role
from bot.errors import InputError, PermissionRefusedError

RANK: dict[Role, int] = {
    Role.COMMS: 1,
    Role.MANAGER: 2,
    Role.HEAD_OF_SERVICE: 3,
    Role.SMT: 3,
    Role.DIRECTOR: 4,
    Role.EXECUTIVE: 4,
    Role.ADMIN: 0,  # runs the system; decides nothing under the policy
}


def may_approve(role: Role, required: Role) -> bool:
    """Whether someone with `role` may approve what the profile reserves to `required`."""
    return RANK[role] >= RANK[required] and RANK[role] > 0


@dataclass(frozen=True, slots=True)
class Staff:
    """A named member of staff acting in a role."""

    name: str
    role: Role

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("say who you are (--by NAME): the register records decisions by name")

    def require(self, needed: Role, what: str) -> None:
        """Refuse unless this role may do what the profile reserves to `needed`."""
        if not may_approve(self.role, needed):
            raise PermissionRefusedError(
                f"{what} needs {_a(needed.value)}; {_a(self.role.value)} may not"
            )

    def same_person(self, other: str | None) -> bool:
        """Whether `other` names this person (case and spacing ignored)."""
        return bool(other) and " ".join(self.name.lower().split()) == " ".join(
            (other or "").lower().split()
        )


def _a(role: str) -> str:
    """A role with its article: "a manager", "an admin"."""
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"
