"""Static reference data the synthetic fleet is drawn from: CPU models, OS builds, names, hardware.

Everything here is plain data. The CPU and OS strings are copied from what real Windows/macOS/Linux
machines report, so downstream parsers (the Windows 11 readiness rules in particular) meet the same
spellings they will meet in production.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3


@dataclass(frozen=True, slots=True)
class Cpu:
    name: str
    cores: int
    threads: int
    max_mhz: int
    # Rough age band used only to pick a plausible OS/TPM for the machine, never reported.
    modern: bool
    architecture: str = "x64"


# Workstation CPUs, with a relative weight. "modern" = Windows 11 capable in reality.
WORKSTATION_CPUS: tuple[tuple[Cpu, int], ...] = (
    (Cpu("Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz", 2, 2, 3000, False), 1),
    (Cpu("Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz", 4, 4, 3300, False), 2),
    (Cpu("Intel(R) Core(TM) i5-6500 CPU @ 3.20GHz", 4, 4, 3192, False), 4),
    (Cpu("Intel(R) Core(TM) i7-6700 CPU @ 3.40GHz", 4, 8, 3408, False), 3),
    (Cpu("Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz", 2, 4, 2712, False), 4),
    (Cpu("Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz", 4, 8, 3600, False), 3),
    (Cpu("Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz", 4, 8, 1800, True), 6),
    (Cpu("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", 6, 12, 3192, True), 5),
    (Cpu("Intel(R) Core(TM) i5-8365U CPU @ 1.60GHz", 4, 8, 1896, True), 4),
    (Cpu("Intel(R) Core(TM) i5-9500 CPU @ 3.00GHz", 6, 6, 3000, True), 5),
    (Cpu("Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz", 4, 8, 2304, True), 7),
    (Cpu("Intel(R) Core(TM) i5-10400 CPU @ 2.90GHz", 6, 12, 2904, True), 5),
    (Cpu("Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz", 8, 16, 2904, True), 4),
    (Cpu("Intel(R) Core(TM) i5-1035G1 CPU @ 1.00GHz", 4, 8, 1190, True), 4),
    (Cpu("11th Gen Intel(R) Core(TM) i5-1135G7 @ 2.40GHz", 4, 8, 2419, True), 7),
    (Cpu("11th Gen Intel(R) Core(TM) i7-11700 @ 2.50GHz", 8, 16, 2496, True), 3),
    (Cpu("12th Gen Intel(R) Core(TM) i7-1255U", 10, 12, 2611, True), 6),
    (Cpu("12th Gen Intel(R) Core(TM) i5-12500", 6, 12, 3000, True), 5),
    (Cpu("13th Gen Intel(R) Core(TM) i7-1365U", 10, 12, 1800, True), 5),
    (Cpu("13th Gen Intel(R) Core(TM) i5-13500", 14, 20, 2500, True), 4),
    (Cpu("14th Gen Intel(R) Core(TM) i7-14700", 20, 28, 2100, True), 2),
    (Cpu("14th Gen Intel(R) Core(TM) i9-14900K", 24, 32, 3200, True), 1),
    (Cpu("Intel(R) Core(TM) Ultra 7 155H", 16, 22, 3000, True), 3),
    (Cpu("Intel(R) Core(TM) Ultra 5 125U", 12, 14, 1300, True), 2),
    (Cpu("Intel(R) Core(TM) 5 120U", 10, 12, 1400, True), 1),
    (Cpu("Intel(R) Celeron(R) CPU  N3060  @ 1.60GHz", 2, 2, 1601, False), 1),
    (Cpu("Intel(R) Celeron(R) N4020 CPU @ 1.10GHz", 2, 2, 1101, True), 2),
    (Cpu("Intel(R) Pentium(R) Silver N5030 CPU @ 1.10GHz", 4, 4, 1101, True), 1),
    (Cpu("AMD Phenom(tm) II X4 965 Processor", 4, 4, 3400, False), 1),
    (Cpu("AMD Ryzen 5 1600 Six-Core Processor", 6, 12, 3200, False), 1),
    (Cpu("AMD Ryzen 5 2500U with Radeon Vega Mobile Gfx", 4, 8, 2000, False), 1),
    (Cpu("AMD Ryzen 5 2400G with Radeon Vega Graphics", 4, 8, 3600, False), 1),
    (Cpu("AMD Ryzen 5 2600 Six-Core Processor", 6, 12, 3400, True), 2),
    (Cpu("AMD Ryzen 5 3600 6-Core Processor", 6, 12, 3600, True), 3),
    (Cpu("AMD Ryzen 5 3400G with Radeon Vega Graphics", 4, 8, 3700, True), 1),
    (Cpu("AMD Ryzen 7 3700U with Radeon Vega Mobile Gfx", 4, 8, 2300, True), 1),
    (Cpu("AMD Ryzen 7 4700U with Radeon Graphics", 8, 8, 2000, True), 2),
    (Cpu("AMD Ryzen 5 PRO 5650U with Radeon Graphics", 6, 12, 2300, True), 3),
    (Cpu("AMD Ryzen 5 5600X 6-Core Processor", 6, 12, 3701, True), 2),
    (Cpu("AMD Ryzen 7 5800H with Radeon Graphics", 8, 16, 3201, True), 1),
    (Cpu("AMD Ryzen 7 7730U with Radeon Graphics", 8, 16, 2000, True), 2),
    (Cpu("AMD Ryzen 5 7600 6-Core Processor", 6, 12, 3801, True), 1),
    (Cpu("AMD Ryzen 9 7950X 16-Core Processor", 16, 32, 4501, True), 1),
    (Cpu("Snapdragon(R) X Elite - X1E78100 - Qualcomm(R) Oryon(TM) CPU", 12, 12, 3417, True, "ARM64"), 1),
    (Cpu("Snapdragon (TM) 8cx Gen 3 @ 3.0 GHz", 8, 8, 2995, True, "ARM64"), 1),
    (Cpu("Microsoft SQ1 @ 3.0 GHz", 8, 8, 3000, True, "ARM64"), 1),
)

SERVER_CPUS: tuple[tuple[Cpu, int], ...] = (
    (Cpu("Intel(R) Xeon(R) CPU E3-1230 v5 @ 3.40GHz", 4, 8, 3408, False), 2),
    (Cpu("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", 14, 28, 2394, False), 3),
    (Cpu("Intel(R) Xeon(R) E-2224 CPU @ 3.40GHz", 4, 4, 3408, True), 3),
    (Cpu("Intel(R) Xeon(R) E-2278G CPU @ 3.40GHz", 8, 16, 3408, True), 2),
    (Cpu("Intel(R) Xeon(R) W-2235 CPU @ 3.80GHz", 6, 12, 3792, True), 1),
    (Cpu("Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz", 10, 20, 2394, True), 4),
    (Cpu("Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", 32, 64, 1995, True), 2),
    (Cpu("AMD EPYC 7551 32-Core Processor", 32, 64, 2000, False), 1),
    (Cpu("AMD EPYC 7302 16-Core Processor", 16, 32, 3000, True), 2),
    (Cpu("AMD EPYC 7443P 24-Core Processor", 24, 48, 2850, True), 1),
)

MAC_CPUS: tuple[tuple[Cpu, int], ...] = (
    (Cpu("Apple M1", 8, 8, 3200, True, "ARM64"), 4),
    (Cpu("Apple M2 Pro", 12, 12, 3490, True, "ARM64"), 2),
    (Cpu("Apple M3", 8, 8, 4050, True, "ARM64"), 2),
    (Cpu("Intel(R) Core(TM) i7-8850H CPU @ 2.60GHz", 6, 12, 2600, True), 2),
)


@dataclass(frozen=True, slots=True)
class OsBuild:
    name: str
    build: str
    release: str
    manufacturer: str = "Microsoft Corporation"
    architecture: str = "64-bit"


WIN_WORKSTATION_MODERN: tuple[tuple[OsBuild, int], ...] = (
    (OsBuild("Windows 10 Professional Edition", "19045", "22H2"), 25),
    (OsBuild("Windows 10 Enterprise Edition", "19045", "22H2"), 5),
    (OsBuild("Windows 10 Professional Edition", "19044", "21H2"), 3),
    (OsBuild("Windows 11 Professional Edition", "22621", "22H2"), 5),
    (OsBuild("Windows 11 Professional Edition", "22631", "23H2"), 30),
    (OsBuild("Windows 11 Enterprise Edition", "22631", "23H2"), 4),
    (OsBuild("Windows 11 Professional Edition", "26100", "24H2"), 25),
    (OsBuild("Windows 11 Professional Edition", "26200", "25H2"), 3),
)
WIN_WORKSTATION_LEGACY: tuple[tuple[OsBuild, int], ...] = (
    (OsBuild("Windows 10 Professional Edition", "19045", "22H2"), 70),
    (OsBuild("Windows 10 Home Edition", "19045", "22H2"), 8),
    (OsBuild("Windows 10 Professional Edition", "19044", "21H2"), 10),
    (OsBuild("Windows 10 Professional Edition", "19045", "22H2", architecture="32-bit"), 4),
    (OsBuild("Windows 11 Professional Edition", "22631", "23H2"), 8),
)
WIN_SERVER: tuple[tuple[OsBuild, int], ...] = (
    (OsBuild("Windows Server 2016 Standard Edition", "14393", "1607"), 3),
    (OsBuild("Windows Server 2019 Standard Edition", "17763", "1809"), 8),
    (OsBuild("Windows Server 2022 Standard Edition", "20348", "21H2"), 10),
    (OsBuild("Windows Server 2022 Datacenter Edition", "20348", "21H2"), 2),
    (OsBuild("Windows Server 2025 Standard Edition", "26100", "24H2"), 2),
)
MAC_OS: tuple[tuple[OsBuild, int], ...] = (
    (OsBuild("macOS Ventura", "22G720", "13.6.7", "Apple Inc."), 2),
    (OsBuild("macOS Sonoma", "23F79", "14.5", "Apple Inc."), 5),
    (OsBuild("macOS Sequoia", "24B83", "15.1", "Apple Inc."), 3),
)
LINUX_OS: tuple[tuple[OsBuild, int], ...] = (
    (OsBuild("Ubuntu 22.04.4 LTS", "5.15.0-105-generic", "22.04", "Canonical"), 5),
    (OsBuild("Ubuntu 24.04.1 LTS", "6.8.0-45-generic", "24.04", "Canonical"), 3),
    (OsBuild("Red Hat Enterprise Linux 9.4 (Plow)", "5.14.0-427.el9.x86_64", "9.4", "Red Hat"), 2),
    (OsBuild("Debian GNU/Linux 12 (bookworm)", "6.1.0-25-amd64", "12", "Debian"), 2),
)

# (manufacturer, model, chassis) per machine shape.
DESKTOP_MODELS = (
    ("Dell Inc.", "OptiPlex 7070", "DESKTOP"),
    ("Dell Inc.", "OptiPlex 3080", "DESKTOP"),
    ("HP", "HP EliteDesk 800 G5 SFF", "DESKTOP"),
    ("HP", "HP ProDesk 400 G7 Microtower PC", "DESKTOP"),
    ("LENOVO", "11DT0013US", "DESKTOP"),
    ("LENOVO", "ThinkCentre M720q", "DESKTOP"),
)
LAPTOP_MODELS = (
    ("Dell Inc.", "Latitude 5420", "LAPTOP"),
    ("Dell Inc.", "Latitude 7490", "LAPTOP"),
    ("HP", "HP EliteBook 840 G8 Notebook PC", "LAPTOP"),
    ("LENOVO", "20XW004KUS", "LAPTOP"),
    ("Microsoft Corporation", "Surface Laptop 5", "LAPTOP"),
    ("Microsoft Corporation", "Surface Pro 9", "LAPTOP"),
)
SERVER_MODELS = (
    ("Dell Inc.", "PowerEdge R740", "DESKTOP"),
    ("Dell Inc.", "PowerEdge T340", "DESKTOP"),
    ("HPE", "ProLiant DL380 Gen10", "DESKTOP"),
    ("VMware, Inc.", "VMware7,1", "UNKNOWN"),
    ("Microsoft Corporation", "Virtual Machine", "UNKNOWN"),
)
MAC_MODELS = (
    ("Apple Inc.", "MacBookPro18,3", "LAPTOP"),
    ("Apple Inc.", "MacBookAir10,1", "LAPTOP"),
    ("Apple Inc.", "Macmini9,1", "DESKTOP"),
    ("Apple Inc.", "iMac21,1", "DESKTOP"),
)

RAM_GIB_WORKSTATION = ((2, 1), (4, 6), (8, 30), (16, 40), (32, 12), (64, 2))
RAM_GIB_SERVER = ((8, 5), (16, 20), (32, 35), (64, 40))
# System-volume sizes in GiB as Windows reports them (32 GiB eMMC up to 1 TiB).
SYSTEM_VOLUME_GIB = ((32, 2), (59, 2), (64, 3), (118, 8), (237, 30), (256, 8), (475, 30), (512, 5), (952, 10))
SYSTEM_VOLUME_GIB_SERVER = ((79, 2), (126, 10), (199, 20), (299, 20), (499, 10), (1024, 5))

ORG_PREFIXES = (
    "Acme", "Blue Ridge", "Cedar Creek", "Harbor", "Summit Valley", "Ironwood", "Lakeside", "Maple",
    "Northstar", "Oak Hill", "Pinecrest", "Redstone", "Riverbend", "Silver Lake", "Stonegate",
    "Sunrise", "Tall Pines", "Twin Rivers", "Westfield", "Willow", "Bayview", "Brookside",
    "Canyon", "Coastal", "Eagle", "Evergreen", "Fairview", "Golden Gate", "Granite", "Highland",
    "Juniper", "Keystone", "Liberty", "Meadow", "Midtown", "Mission", "Orchard", "Pacific",
    "Prairie", "Quarry", "Ridgeline", "Sagebrush", "Sequoia", "Skyline", "Timber", "Trinity",
    "Union", "Vista", "Wildflower", "Yellowstone", "Aspen", "Birch", "Copper", "Delta", "Falcon",
    "Gulf", "Heritage", "Lone Star", "Magnolia", "Pecan",
)  # fmt: skip
ORG_INDUSTRIES = (
    "Dental", "Law Group", "Manufacturing", "Logistics", "Pediatrics", "Realty", "Construction",
    "Family Practice", "Insurance", "Accounting", "Veterinary Clinic", "Credit Union", "Auto Group",
    "Foods", "Engineering", "Architects", "Church", "Academy", "Title", "Plumbing", "Orthodontics",
    "Wealth Management", "Machine Works", "Landscaping", "Roofing", "Hospitality", "Pharmacy",
    "Builders", "Electric", "Surgical Associates", "Chiropractic", "Staffing", "Printing",
    "Distributors", "Ventures", "Labs", "Outfitters", "Home Health", "Eye Care", "Freight",
)  # fmt: skip
ORG_SUFFIXES = ("", "", "", " LLC", " Inc", " Corp", " Co", " Group", " PC", " Partners")

CITIES = (
    "Austin", "Dallas", "Houston", "Tulsa", "Denver", "Omaha", "Wichita", "Memphis", "Lubbock",
    "El Paso", "Plano", "Waco", "Tyler", "Katy", "Frisco", "Norman",
)  # fmt: skip
LOCATION_NAMES = ("Main Office", "Headquarters", "Warehouse", "Remote Workers", "Plant 2", "Annex")
# Spare-shelf location names in client organisations; any case of "spare" makes a device spare.
SPARE_LOCATION_NAMES = ("Spare Inventory", "SPARES", "Spare Equipment Closet", "spare-shelf")

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Maria",
    "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra", "Priya", "Wei",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Nguyen", "Patel", "Kim", "Clark", "Lewis", "Walker", "Young",
)  # fmt: skip
ROLE_NOTES = (
    "Front Desk", "Reception", "Conference Room", "Shop Floor", "Break Room Kiosk", "Nurse Station",
    "Shipping", "Lab Bench", "Training Room", "Exam Room 2",
)  # fmt: skip
# Suffixes that push a hostname past the 15-character NetBIOS limit.
LONG_NAME_TAILS = ("-RECEPTION", "-CONFROOM", "-WAREHOUSE1", "-ACCOUNTING", "-FRONTDESK2", "-SHIPPING")
DNS_DOMAINS = ("corp.local", "ad.local", "internal.lan", "office.local")
TL_DOMAIN_SUFFIXES = (".corp.local", ".local", ".ad.local")
TL_VERSIONS = ("9.2.4", "9.3.3", "10.1.2", "10.2.0")
