"""Preparation windows for ado-trastuzumab emtansine (KADCYLA): vial, diluent, bag.

[label] A reconstituted vial keeps up to 24 h at 2-8 °C; the dose is diluted in 250 mL
0.9% Sodium Chloride (never 5% Dextrose); the diluted bag keeps up to 24 h at 2-8 °C,
in addition to the vial's 24 h. So an infusion may start at the latest 24 h after
dilution, and dilution may happen at the latest 24 h after reconstitution.

All window arithmetic is in elapsed time: instants are converted to UTC first, so a
window across a daylight-saving change is still 24 real hours. (Python adds and
compares datetimes sharing one tzinfo by wall clock, which would be an hour off.)
Every instant returned is UTC-aware. Window ends are inclusive: exactly 24 h is allowed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from .errors import DomainError, require_aware
from .lean import dataclass, field
from .regimens import TDM1, Regimen

# Reads of the T-DM1 regimen (regimens/tdm1.py), the names kept for their callers.
VIAL_HOLD = TDM1.vial_hold  # [label] 24 h: reconstituted vial, 2-8 °C, then discard
BAG_HOLD = TDM1.bag_hold  # [label] 24 h: diluted bag, 2-8 °C, in addition to VIAL_HOLD
DILUENT = TDM1.diluent  # as dosing's (not imported: decimal, fractions; issue 19)
DILUENT_VOLUME_ML = TDM1.diluent_volume_ml

# [label, EU text only] 0.45% NaCl is also allowed in the EU SmPC; off unless a site opts in.
HALF_NORMAL_SALINE_DILUENT = f"{DILUENT_VOLUME_ML} mL 0.45% Sodium Chloride"


def _utc(field: str, value: datetime) -> datetime:
    """The same instant in UTC; refuses naive datetimes."""
    require_aware(field, value)
    return value.astimezone(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def vial_expires_at(reconstituted_at: datetime, regimen: Regimen = TDM1) -> datetime:
    """Last instant a reconstituted vial may be used: reconstitution + 24 h [label]."""
    return _utc("reconstituted_at", reconstituted_at) + regimen.vial_hold


def bag_expires_at(diluted_at: datetime, regimen: Regimen = TDM1) -> datetime:
    """Last instant a diluted bag may start infusing: dilution + 24 h [label]."""
    return _utc("diluted_at", diluted_at) + regimen.bag_hold


def _held(hold: timedelta, regimen: Regimen) -> str:
    """``24 h at 2-8 °C``: a stability window as the messages name it."""
    return f"{hold / timedelta(hours=1):g} h at {regimen.storage}"


# --- Diluent ---------------------------------------------------------------------------

# [label] "5% Dextrose must not be used": dextrose, glucose, D5W, D5NS, "5% D..." and the like.
_DEXTROSE = re.compile(r"dextrose|glucose|\bd\s*5|5\s*%\s*d")
_VOLUME = re.compile(r"(\d+(?:\.\d+)?)\s*ml\b")
# Product-name filler that does not change what the fluid is.
_FILLER = re.compile(r"\b(?:for injection|injection|infusion|solution|usp|bp|bag|iv)\b")
# Spellings compared with every space removed, after volume and filler are taken out.
_NORMAL_SALINE = frozenset(
    {
        "0.9%nacl",
        "nacl0.9%",
        "0.9%sodiumchloride",
        "sodiumchloride0.9%",
        "0.9%saline",
        "saline0.9%",
        "0.9%normalsaline",
        "normalsaline0.9%",
        "normalsaline",
        "ns",
        "0.9%ns",
    }
)
_HALF_NORMAL_SALINE = frozenset(
    {
        "0.45%nacl",
        "nacl0.45%",
        "0.45%sodiumchloride",
        "sodiumchloride0.45%",
        "0.45%saline",
        "halfnormalsaline",
        "1/2normalsaline",
        "1/2ns",
    }
)


def check_diluent(text: str, allow_half_normal_saline: bool = False) -> str:
    """The canonical diluent name for a typed one, or DomainError("diluent", ...).

    [label] 0.9% Sodium Chloride, 250 mL; 5% Dextrose must not be used. Ambiguous
    entries ("saline", "sodium chloride" without a strength) are refused. A volume, if
    given, must be 250 mL. 0.45% NaCl is accepted only when allow_half_normal_saline is
    set: the EU text allows it, the US label does not, so it is off by default.
    """
    if not isinstance(text, str) or not text.strip():
        raise DomainError("diluent", f"required: {DILUENT}")
    lowered = re.sub(r"(\d),(\d)", r"\1.\2", text.lower())  # EU decimal comma: 0,9%
    lowered = " ".join(re.sub(r"[,;()]", " ", lowered).split())
    if _DEXTROSE.search(lowered):
        raise DomainError(
            "diluent", f"5% Dextrose (glucose) must not be used; use {DILUENT} [label]"
        )
    for volume in _VOLUME.findall(lowered):
        if float(volume) != DILUENT_VOLUME_ML:
            raise DomainError(
                "diluent", f"the dose is diluted in {DILUENT_VOLUME_ML} mL, got {volume} mL"
            )
    compact = _FILLER.sub("", _VOLUME.sub("", lowered)).replace(" ", "")
    if compact in _NORMAL_SALINE:
        return DILUENT
    if compact in _HALF_NORMAL_SALINE:
        if allow_half_normal_saline:
            return HALF_NORMAL_SALINE_DILUENT
        raise DomainError(
            "diluent",
            f"0.45% Sodium Chloride is allowed only by the EU text and is off at this site;"
            f" use {DILUENT}",
        )
    raise DomainError("diluent", f"{text!r} is not an accepted diluent; use {DILUENT} [label]")


# --- Dilution timing -------------------------------------------------------------------


def check_dilution(
    reconstituted_at: datetime, diluted_at: datetime, regimen: Regimen = TDM1
) -> None:
    """Dilution must come at or after reconstitution and by the vial's expiry [label]."""
    reconstituted = _utc("reconstituted_at", reconstituted_at)
    diluted = _utc("diluted_at", diluted_at)
    if diluted < reconstituted:
        raise DomainError(
            "diluted_at",
            f"dilution at {_iso(diluted)} is before reconstitution at {_iso(reconstituted)}",
        )
    expiry = reconstituted + regimen.vial_hold
    if diluted > expiry:
        raise DomainError(
            "diluted_at",
            f"the reconstituted vial expired at {_iso(expiry)}"
            f" ({_held(regimen.vial_hold, regimen)} [label]);"
            f" dilution at {_iso(diluted)} refused",
        )


# --- One preparation's life ------------------------------------------------------------


class PrepStatus(StrEnum):
    NOT_PREPARED = "not_prepared"
    RECONSTITUTED = "reconstituted"  # vial within its 24 h, not yet diluted
    DILUTED = "diluted"  # bag within its 24 h
    VIAL_EXPIRED = "vial_expired"  # never diluted and the vial's 24 h have passed
    BAG_EXPIRED = "bag_expired"  # the bag's 24 h have passed, never used
    DISCARDED = "discarded"
    USED = "used"  # the infusion was started from it


@dataclass(frozen=True)
class Preparation:
    """Recorded instants of one dose's preparation (all aware; None = not happened).

    The constructor refuses impossible records: a dilution without or outside the vial
    window, use without a bag or after the bag expired, both used and discarded, or a
    use/discard before the step it ends. Its windows are its ``regimen``'s (T-DM1's).
    """

    reconstituted_at: datetime | None
    diluted_at: datetime | None
    discarded_at: datetime | None = None
    used_at: datetime | None = None
    regimen: Regimen = field(default=TDM1, repr=False)

    def __post_init__(self) -> None:
        for name in ("reconstituted_at", "diluted_at", "discarded_at", "used_at"):
            value = getattr(self, name)
            if value is not None:
                require_aware(name, value)
        if self.diluted_at is not None:
            if self.reconstituted_at is None:
                raise DomainError("diluted_at", "a dilution needs a reconstitution first")
            check_dilution(self.reconstituted_at, self.diluted_at, self.regimen)
        if self.discarded_at is not None and self.used_at is not None:
            raise DomainError("discarded_at", "a preparation is either used or discarded")
        if self.used_at is not None:
            self._check_used_at(self.used_at)
        if self.discarded_at is not None:
            last_step = self.diluted_at or self.reconstituted_at
            if last_step is None:
                raise DomainError("discarded_at", "nothing was prepared, so nothing to discard")
            if _utc("discarded_at", self.discarded_at) < last_step.astimezone(UTC):
                raise DomainError(
                    "discarded_at", f"discarded before it was prepared ({_iso(last_step)})"
                )

    def _check_used_at(self, used_at: datetime) -> None:
        """A use needs a bag, at or after dilution and by the bag's expiry [label]."""
        if self.diluted_at is None:
            raise DomainError("used_at", "an infusion needs a diluted bag; none recorded")
        used = _utc("used_at", used_at)
        if used < _utc("diluted_at", self.diluted_at):
            raise DomainError("used_at", f"used before dilution at {_iso(self.diluted_at)}")
        expiry = bag_expires_at(self.diluted_at, self.regimen)
        if used > expiry:
            raise DomainError(
                "used_at", f"bag expired at {_iso(expiry)}; use at {_iso(used)} refused"
            )

    @property
    def vial_expires_at(self) -> datetime | None:
        """Reconstitution + 24 h (the dilution deadline), or None if never reconstituted."""
        if self.reconstituted_at is None:
            return None
        return vial_expires_at(self.reconstituted_at, self.regimen)

    @property
    def bag_expires_at(self) -> datetime | None:
        """Dilution + 24 h (the latest infusion start), or None if not diluted."""
        if self.diluted_at is None:
            return None
        return bag_expires_at(self.diluted_at, self.regimen)

    @property
    def infuse_by(self) -> datetime | None:
        """Latest possible infusion start from the recorded steps.

        Diluted: the bag's expiry. Only reconstituted: vial expiry + 24 h, i.e. if it were
        diluted at the last allowed moment. Otherwise None. Discard/use is not looked at
        here: status_at and check_can_start handle those.
        """
        if self.bag_expires_at is not None:
            return self.bag_expires_at
        if self.vial_expires_at is not None:
            return self.vial_expires_at + self.regimen.bag_hold
        return None


def status_at(prep: Preparation, at: datetime) -> PrepStatus:
    """Where the preparation stands at instant ``at``; steps recorded later are ignored."""
    now = _utc("at", at)

    def happened(instant: datetime | None) -> bool:
        # ``now`` is in UTC and ``instant`` is aware, so this compares real instants.
        return instant is not None and instant <= now

    if happened(prep.used_at):
        return PrepStatus.USED
    if happened(prep.discarded_at):
        return PrepStatus.DISCARDED
    if not happened(prep.reconstituted_at):
        return PrepStatus.NOT_PREPARED
    if not happened(prep.diluted_at):
        vial_expiry = prep.vial_expires_at
        assert vial_expiry is not None  # reconstituted, so it has a vial expiry
        return PrepStatus.VIAL_EXPIRED if now > vial_expiry else PrepStatus.RECONSTITUTED
    bag_expiry = prep.bag_expires_at
    assert bag_expiry is not None  # diluted, so it has a bag expiry
    return PrepStatus.BAG_EXPIRED if now > bag_expiry else PrepStatus.DILUTED


def check_can_start(prep: Preparation, infusion_start: datetime) -> None:
    """Refuse an infusion start the bag cannot serve: DomainError("preparation", reason).

    [label] the diluted bag may be used up to 24 h after dilution; the app must never let
    an infusion start from a bag whose window has passed. A used or discarded
    preparation cannot serve a new start, whatever the time.
    """
    start = _utc("infusion_start", infusion_start)
    if prep.used_at is not None:
        raise DomainError("preparation", f"already used at {_iso(prep.used_at)}")
    if prep.discarded_at is not None:
        raise DomainError("preparation", f"discarded at {_iso(prep.discarded_at)}")
    if prep.reconstituted_at is None:
        raise DomainError("preparation", "never prepared (no reconstitution recorded)")
    if prep.diluted_at is None:
        raise DomainError(
            "preparation",
            f"not yet diluted in {prep.regimen.diluent} (reconstituted vial expires at"
            f" {_iso(vial_expires_at(prep.reconstituted_at, prep.regimen))})",
        )
    if start < _utc("diluted_at", prep.diluted_at):
        raise DomainError(
            "preparation",
            f"not yet diluted at {_iso(start)} (dilution recorded at {_iso(prep.diluted_at)})",
        )
    bag_expiry = bag_expires_at(prep.diluted_at, prep.regimen)
    if start > bag_expiry:
        raise DomainError(
            "preparation",
            f"bag expired at {_iso(bag_expiry)}"
            f" ({_held(prep.regimen.bag_hold, prep.regimen)} after dilution [label]);"
            f" start at {_iso(start)} refused",
        )


def bag_usable_at(prep: Preparation, infusion_start: datetime) -> bool:
    """True only when diluted, not used or discarded, and start <= bag expiry [label]."""
    try:
        check_can_start(prep, infusion_start)
    except DomainError as error:
        if error.field != "preparation":
            raise  # a naive infusion_start is a programming error, not a "no"
        return False
    return True


def time_left(prep: Preparation, at: datetime) -> timedelta | None:
    """Time until the relevant expiry (bag if diluted, else vial); negative once passed.

    None when never reconstituted. Discard/use is not looked at (see status_at).
    """
    now = _utc("at", at)
    expiry = prep.bag_expires_at or prep.vial_expires_at
    return None if expiry is None else expiry - now
