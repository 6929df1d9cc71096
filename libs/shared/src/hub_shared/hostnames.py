"""The one hostname normalisation every service uses (``reference/domain-rules.md``).

- :func:`clean_hostname`: what vendor APIs accept — no ``| note`` part, no domain suffix, original case.
- :func:`match_key`: how devices are matched across vendors — the clean hostname, lower-cased.
- NetBIOS: Ninja's ``systemName`` is cut to 15 characters, so a longer ThreatLocker name whose first 15
  characters equal a 15-character Ninja key is the same device (applied by the variance checks).
"""

from __future__ import annotations

NETBIOS_LENGTH = 15


def clean_hostname(raw: str | None) -> str:
    if not raw:
        return ""
    host = raw.split("|", 1)[0].strip()
    host = host.split(".", 1)[0].strip()
    return host


def match_key(raw: str | None) -> str:
    return clean_hostname(raw).lower()


def ninja_hostname(dns_name: str | None, system_name: str | None) -> str:
    """Ninja's full name: the host part of ``dnsName`` when present, else the (NetBIOS) ``systemName``."""
    from_dns = clean_hostname(dns_name)
    return from_dns or clean_hostname(system_name)


def netbios_prefix(key: str) -> str | None:
    """The key a NetBIOS-truncated Ninja name would have, for keys longer than 15 characters."""
    return key[:NETBIOS_LENGTH] if len(key) > NETBIOS_LENGTH else None
