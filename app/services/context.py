"""An unlocked office: its database, vault and the operator acting, handed to every service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.clock import today_wib, utcnow
from app.domain.regions import RegionIndex, default_regions
from app.storage import audit
from app.storage.engine import immediate
from app.storage.sealed import SlotKey
from app.storage.vault import KdfParams, Vault


@dataclass
class OfficeContext:
    folder: Path
    vault: Vault
    engine: Engine
    office_id: str
    office_name: str
    village_code: str
    regency_code: str
    operator_id: str | None
    operator_name: str
    operator_role: str
    data_key: bytes = field(repr=False)
    # The private key of the keyslot this session was unlocked with: it opens the sealed keys of
    # that person only (app/storage/sealed.py). In memory for this session, never stored.
    slot_key: SlotKey | None = field(default=None, repr=False)
    # Signing keys opened with slot_key in this session (keys._signer_from): opened once, not per
    # signature; gone at close().
    opened_keys: dict = field(default_factory=dict, repr=False)
    regions: RegionIndex = field(default_factory=default_regions)
    clock: Callable[[], datetime] = utcnow
    today: Callable[[], date] = today_wib
    # How many queued proposals the outbox repair gave their missing item at this unlock (None: none pending).
    repaired_outbox_items: int | None = None
    # The Argon2id cost for passphrases set in this session (None: calibrated on this PC; tests put
    # KdfParams.for_tests() here): screens hand it to the services that seal a passphrase.
    kdf: KdfParams | None = None

    def __post_init__(self) -> None:
        self.rebind()

    def rebind(self) -> None:
        """Point the session factory at ``engine`` again (after a re-key swapped it)."""
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Writers take the lock at BEGIN, so two writers queue instead of failing mid-way.
        self._writers = sessionmaker(immediate(self.engine), expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One use case, one transaction: commit on success, roll back on any error."""
        with self._writers.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def audit(self, session: Session, event: str, entity_type: str, entity_id=None, **detail):
        """Append ``event`` (e.g. ``proposal.create``) by the acting operator to the audit log,
        signed by that person's own key (made on their first audited step)."""
        signer = None
        if self.operator_id is not None:
            from app.services.keys import person_signer_in  # keys builds on this module

            signer = person_signer_in(self, session)
        return audit.append(
            session,
            signer=signer,
            at=self.clock(),
            operator_id=self.operator_id,
            action=event,
            entity_type=entity_type,
            entity_id=entity_id,
            detail=detail,
        )

    def close(self) -> None:
        self.slot_key = None
        self.opened_keys.clear()
        self.engine.dispose()
