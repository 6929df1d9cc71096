"""The migration builds what ``models.py`` describes, and the database itself refuses bad rows (CHECK
constraints, the foreign key, one result per check and audit) — not only the API in front of it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from hub_shared.db import Database
from tenantsweep.models import audits, findings


async def test_the_migrated_tables_match_the_models(database: Database) -> None:
    async with database.transaction() as session:
        for table in (audits, findings):
            rows = await session.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'tenantsweep' AND table_name = :table ORDER BY ordinal_position"
                ),
                {"table": table.name},
            )
            assert [row[0] for row in rows] == [column.name for column in table.columns]
        indexes = set(
            (await session.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'tenantsweep'"))).scalars()
        )
        trigram = (await session.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))).first()
    expected = {
        "pk_audits",
        "pk_findings",
        "ix_audits_started_at",
        "ix_audits_latest_by_name",
        "ix_audits_tenant_key",
        "uq_findings_audit_id_check_id",
    }
    assert expected <= indexes
    assert ("ix_audits_tenant_name_trgm" in indexes) == (trigram is not None)


GOOD_AUDIT = "INSERT INTO tenantsweep.audits (id, tenant_name, tenant_id) OVERRIDING SYSTEM VALUE VALUES (1, 'A', 'a')"
FINDING = (
    "INSERT INTO tenantsweep.findings (audit_id, check_id, check_name, severity, status) "
    "VALUES ({audit}, '{check}', 'name', '{severity}', '{status}')"
)


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        (
            "INSERT INTO tenantsweep.audits (tenant_name, tenant_id, status, completed_at) "
            "VALUES ('A', 'a', 'done', now())",
            "ck_audits_status",
        ),
        (
            "INSERT INTO tenantsweep.audits (tenant_name, tenant_id, status) VALUES ('A', 'a', 'completed')",
            "ck_audits_completed_at",
        ),
        (
            "INSERT INTO tenantsweep.audits (tenant_name, tenant_id, completed_at) VALUES ('A', 'a', now())",
            "ck_audits_completed_at",
        ),
        (
            "INSERT INTO tenantsweep.audits (tenant_name, tenant_id, summary) VALUES ('A', 'a', '[1]')",
            "ck_audits_summary",
        ),
        ("INSERT INTO tenantsweep.audits (tenant_name, tenant_id) VALUES (' ', 'a')", "ck_audits_tenant"),
        (FINDING.format(audit=1, check="X", severity="critical", status="fail"), "ck_findings_severity"),
        (FINDING.format(audit=1, check="X", severity="Critical", status="failed"), "ck_findings_status"),
        (FINDING.format(audit=2, check="X", severity="Critical", status="fail"), "fk_findings_audit_id_audits"),
        (FINDING.format(audit=1, check="SAME", severity="Low", status="pass"), "uq_findings_audit_id_check_id"),
    ],
)
async def test_the_database_refuses_bad_rows(database: Database, statement: str, constraint: str) -> None:
    async with database.transaction() as session:
        await session.execute(text(GOOD_AUDIT))
        await session.execute(text(FINDING.format(audit=1, check="SAME", severity="High", status="fail")))
    with pytest.raises(IntegrityError, match=constraint):
        async with database.transaction() as session:
            await session.execute(text(statement))
