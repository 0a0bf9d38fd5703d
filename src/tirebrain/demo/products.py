"""Synthetic tyre products for the demo enterprises (issue 4: about 3,000 at 150 enterprises).

Each demo enterprise gets products on its own product lines — passenger, van and light-truck
sizes for semi-steel radials, truck and bus sizes for all-steel radials, earthmover, agricultural,
aircraft, industrial and motorcycle sizes for the specialty lines — under invented brand names,
with label values drawn from realistic distributions for their tyre class, and yearly output.

Why it looks the way it does:

* **Patterns, then sizes.** A pattern ("EcoDrive A1") comes in several sizes and its values are
  alike across them; a *premium* pattern is built to meet the plan's high-end thresholds (task
  1.3), a standard one to miss them by a margin that shrinks with the enterprise's quality (R&D
  intensity and size), so ranking enterprises by distance from the thresholds means something.
  Better enterprises also get more premium patterns and the special categories (EV, self-sealing,
  wide-base, giant OTR, agricultural radial).
* **Whether a product is high-end is not decided here**: it is what the plan's thresholds say
  about the product's values (``classify``, as ``save_product`` does), so the registry stays
  consistent if the thresholds change.
* **Output adds up.** An enterprise's yearly output is split over its lines as in the generator
  (by revenue share over price), then over the products made that year: new products ramp up,
  old ones ramp down and some are discontinued. High-end products launch later on average; on
  top of that one factor per year on the weight of high-end products makes the province's share
  of high-end output follow ``PATHS["high_end_share"]``. The sums are exact integers: the registry
  adds up to each enterprise's reported ``output_tyres``, and the generator stores the registry's
  high-end output as ``output_high_end_tyres``, so the two sources of T18 agree.
* **Scale.** About 20 products per enterprise up to 150 enterprises, then growing more slowly
  (``product_budget``: 25,000 at 10,000 enterprises), every product line of every enterprise
  having at least one product.

Deterministic: its own ``random.Random`` derived from the seed (so adding products does not change
the rest of the data set), fixed iteration order, no clock.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tirebrain.demo.generator import LINES, PATHS, Firm, at
from tirebrain.products.gtin import check_digit, normalise_gtin
from tirebrain.products.highend import classify, high_end_codes
from tirebrain.products.services import ProductInput, save_product
from tirebrain.products.sizes import TyreSize, parse_size

Progress = Callable[[str, int, int], None]

PRODUCTS_PER_ENTERPRISE = 20
"""Average number of products per enterprise up to :data:`REFERENCE_SIZE` enterprises."""
REFERENCE_SIZE = 150
MAX_PRODUCTS = 25_000
MAX_PER_ENTERPRISE = 400
GTIN_SHARE = 0.9
"""Share of products that have a GTIN."""
GTIN_PREFIX = "020"
"""GS1 restricted-circulation prefix 020–029: numbers no real company holds, so the demo's GTINs
can never be mistaken for a real product's (one prefix per enterprise, drawn at random)."""

# --- sizes ----------------------------------------------------------------------------------------


def _table(text: str) -> tuple[tuple[str, float], ...]:
    """``size | weight`` per line → ((size, weight), …); the weight is how common the size is."""
    rows = []
    for line in text.strip().splitlines():
        size, weight = line.split("|")
        rows.append((size.strip(), float(weight)))
    return tuple(rows)


SIZES: dict[str, tuple[tuple[str, float], ...]] = {
    "economy": _table("""
        155/65R13 73T | 1
        165/70R14 81T | 1.5
        175/70R14 84T | 2
        185/65R15 88H | 4
        185/60R15 84H | 2
        195/65R15 91V | 5
        195/60R15 88V | 2
        205/65R16 95H | 2
    """),
    "touring": _table("""
        195/55R16 87V | 2
        205/55R16 91V | 6
        205/60R16 92V | 3
        215/55R17 94V | 4
        215/60R16 95V | 2
        215/60R17 96H | 2
        215/65R16 98H | 3
        225/55R17 101W XL | 3
        225/55R18 98V | 2
        225/60R18 100H | 2
        205/50R17 93W XL | 2
        215/50R17 95W XL | 2
    """),
    "uhp": _table("""
        225/45R17 94W XL | 4
        225/50R17 98W XL | 2
        235/45R18 98W XL | 3
        245/45R18 100W XL | 2
        245/45R19 102Y XL | 1
        225/40R18 92Y XL | 2
        245/40R19 98Y XL | 2
        255/40R19 100Y XL | 1
        275/40R20 106Y XL | 1
        255/35R20 97Y XL | 1
        285/35ZR20 104Y XL | 0.5
        205/45R17 88W XL | 1.5
    """),
    "suv": _table("""
        215/65R16 98H | 2
        225/65R17 102H | 3
        235/65R17 108V XL | 2
        235/60R18 107V XL | 3
        235/55R19 105V XL | 2
        255/55R18 109V XL | 1.5
        265/65R17 112H | 1
        265/70R16 112T | 1
        235/50R19 103V XL | 1
        255/45R20 105W XL | 1
        285/45R22 114V XL | 0.5
    """),
    "ev": _table("""
        205/55R16 91V | 3
        215/55R17 94V | 3
        225/55R18 98V | 2
        235/45R18 98W XL | 3
        235/50R19 103V XL | 2
        245/45R19 102Y XL | 2
        255/45R20 105W XL | 1.5
        255/40R19 100Y XL | 1
    """),
    "van": _table("""
        195/70R15C 104/102R | 3
        205/65R16C 107/105T | 3
        215/65R16C 109/107T | 3
        225/70R15C 112/110R | 2
        235/65R16C 115/113R | 2
        215/75R16C 116/114R | 1.5
    """),
    "light_truck": _table("""
        LT245/75R16 120/116S | 2
        LT265/70R17 121/118S | 2
        LT235/85R16 120/116Q | 1.5
        LT265/75R16 123/120S | 1
        LT275/65R18 123/120S | 1
    """),
    "steer": _table("""
        295/80R22.5 152/149M | 5
        315/80R22.5 156/150L | 5
        315/70R22.5 154/150L | 3
        385/65R22.5 160K | 3
        295/60R22.5 150/147L | 1
    """),
    "drive": _table("""
        295/80R22.5 152/149M | 5
        315/80R22.5 156/150L | 5
        315/70R22.5 154/150L | 3
        11R22.5 148/145L | 3
        12R22.5 152/149L | 3
        295/60R22.5 150/147L | 1
    """),
    "trailer": _table("""
        385/65R22.5 160K | 5
        385/55R22.5 160K | 2
        11R22.5 148/145L | 2
        215/75R17.5 135/133J | 1
        235/75R17.5 143/141J | 1
    """),
    "regional": _table("""
        11R22.5 148/145L | 4
        12R22.5 152/149L | 4
        275/70R22.5 148/145M | 2
        305/70R22.5 152/148L | 1
        295/80R22.5 152/149M | 3
    """),
    "mixed": _table("""
        12.00R20 156/153K | 5
        11.00R20 152/149K | 3
        10.00R20 149/146K | 2
        13R22.5 156/150K | 2
        315/80R22.5 156/150L | 2
    """),
    "light_commercial": _table("""
        215/75R17.5 135/133J | 2
        235/75R17.5 143/141J | 2
        245/70R19.5 136/134M | 1.5
        265/70R19.5 143/141J | 1.5
        7.50R16 122/118L | 2
        8.25R16 128/124L | 1.5
    """),
    "bus": _table("""
        275/70R22.5 148/145M | 3
        295/80R22.5 152/149M | 3
        305/70R22.5 152/148L | 2
        12R22.5 152/149L | 2
    """),
    "wide_base": _table("""
        385/55R22.5 160K | 2
        435/50R19.5 160J | 2
        445/45R19.5 160J | 2
        455/40R22.5 160J | 1
        495/45R22.5 169K | 1
    """),
    "retread": _table("""
        295/80R22.5 152/149M | 4
        315/80R22.5 156/150L | 4
        11R22.5 148/145L | 2
        12R22.5 152/149L | 2
        12.00R20 156/153K | 2
    """),
    "bias_truck": _table("""
        6.50-16 10PR | 2
        7.00-16 12PR | 2
        7.50-16 14PR | 3
        8.25-16 16PR | 2
        8.25-20 16PR | 1.5
        9.00-20 16PR | 2
        10.00-20 18PR | 2
        11.00-20 18PR | 2
        12.00-20 18PR | 1.5
        6.00-14 8PR | 1
        5.00-12 8PR | 1
    """),
    "otr_bias": _table("""
        17.5-25 16PR | 3
        20.5-25 20PR | 2
        23.5-25 20PR | 3
        26.5-25 28PR | 1.5
        18.00-25 32PR | 1
        14.00-24 16PR | 1.5
    """),
    "otr_radial": _table("""
        17.5R25 | 3
        20.5R25 | 2.5
        23.5R25 | 3
        26.5R25 | 2
        29.5R25 | 1.5
        18.00R25 | 1
        18.00R33 | 1
        21.00R35 | 1
        24.00R35 | 1
        875/65R29 | 0.8
        750/65R25 | 1
    """),
    "otr_giant": _table("""
        27.00R49 | 3
        33.00R51 | 2
        36.00R51 | 1.5
        40.00R57 | 2
        46/90R57 | 1
        50/80R57 | 1
        53/80R63 | 0.6
        59/80R63 | 0.6
    """),
    "agri_bias": _table("""
        14.9-24 8PR | 3
        12.4-28 8PR | 3
        11.2-24 8PR | 2
        16.9-34 8PR | 2
        18.4-30 12PR | 1.5
        9.5-24 8PR | 1.5
        13.6-38 8PR | 1
    """),
    "agri_radial": _table("""
        480/70R38 | 3
        520/85R42 | 2
        710/70R42 173D | 1.5
        650/65R38 | 1.5
        600/65R28 154D | 1.5
        540/65R30 | 1.5
        380/85R28 | 2
        420/85R34 | 2
        460/85R38 | 2
        16.9R30 | 2
        18.4R38 | 2
        IF 710/70R42 182D | 0.5
        VF 600/70R30 159D | 0.5
    """),
    "aircraft": _table("""
        46x17R20 30PR | 2
        H44.5x16.5-21 26PR | 1
        30x8.8R15 16PR | 1.5
        32x8.8R16 20PR | 1
        27x7.75R15 12PR | 1
        50x20.0R22 32PR | 1
        26x6.6R14 12PR | 1
    """),
    "industrial": _table("""
        5.00-8 10PR | 2
        6.00-9 10PR | 3
        6.50-10 12PR | 3
        7.00-12 12PR | 3
        7.00-15 12PR | 1.5
        8.25-15 14PR | 2
        4.00-8 6PR | 1
    """),
    "motorcycle": _table("""
        2.75-17 41P | 2
        2.75-18 42P | 3
        3.00-17 45P | 2
        3.00-18 47P | 3
        3.25-16 48P | 1
        3.50-10 51J | 2
        3.00-10 42J | 1.5
        4.10-18 59P | 1.5
    """),
    "non_pneumatic": _table("""
        4.00-8 6PR | 1
        5.00-8 10PR | 2
        6.00-9 10PR | 2
        6.50-10 12PR | 2
        7.00-12 12PR | 1.5
        8.25-15 14PR | 1
    """),
}  # fmt: skip


@dataclass(frozen=True)
class Segment:
    """A kind of pattern on a product line: its sizes, names and how its values are drawn."""

    code: str
    sizes: str  # key of SIZES
    words: tuple[str, ...]  # pattern names: word + code ("EcoDrive A1")
    weight: float  # how often a pattern is of this segment
    premium: float = 1.0  # multiplies the chance that a pattern is premium (0: never)
    min_quality: float = -99.0  # only enterprises of at least this quality make it
    category: str = ""  # a special category every product of the segment has
    snow: float = 0.0  # chance that a pattern carries the 3PMSF mark
    ice: float = 0.0  # chance that a snow pattern carries the ice mark too
    noise: float = 0.0  # dB added to the class's noise level
    rr: float = 0.0  # N/kN added to the class's rolling resistance
    wet: float = 0.0  # added to the class's wet grip index
    first: bool = True  # may be the first (always made) pattern of a line


SEGMENTS: dict[str, tuple[Segment, ...]] = {
    "semi_steel_radial": (
        Segment(
            "touring", "touring", ("EcoDrive", "ComfortLine", "TourPro", "AquaRun"), 28, snow=0.06
        ),
        Segment("economy", "economy", ("CityStar", "EcoLite", "UrbanGrip"), 14, premium=0.3),
        Segment(
            "uhp", "uhp", ("SportMax", "VeloSport", "ApexRun"), 15, premium=1.6, noise=1, rr=0.2
        ),
        Segment(
            "suv", "suv", ("TerraCross", "HighRoad", "TrailMaster"), 16, snow=0.12, noise=0.5
        ),
        Segment(
            "winter", "touring", ("WinterTrek", "SnowPath", "IceGuard"), 8, premium=0.6,
            snow=1.0, ice=0.35, rr=0.4, wet=-0.08, noise=0.5,
        ),
        Segment("all_season", "touring", ("AllSeason", "FourSeason"), 6, snow=0.9, rr=0.2),
        Segment(
            "ev", "ev", ("VoltRide", "E-Silent"), 4, premium=3.0, min_quality=-0.3,
            category="ev_nev", noise=-1.5, rr=-0.4, first=False,
        ),
        Segment(
            "self_sealing", "touring", ("SealGuard", "SafeSeal"), 2, premium=3.0,
            min_quality=0.3, category="self_sealing", first=False,
        ),
        Segment("van", "van", ("CargoVan", "VanPro"), 7, premium=0.3, snow=0.12, noise=0.5),
        Segment("light_truck", "light_truck", ("TrailLT", "RidgeAT"), 3, premium=0.3, snow=0.4),
    ),
    "all_steel_radial": (
        Segment("steer", "steer", ("LongHaul", "HighwayPro"), 20, noise=-0.5),
        Segment("drive", "drive", ("DriveGrip", "TractionMax"), 20, snow=0.5, noise=1.5),
        Segment("trailer", "trailer", ("TrailerPro", "LoadMax"), 12, noise=-0.5),
        Segment("regional", "regional", ("RegionAll", "CityHaul"), 14, snow=0.15),
        Segment("mixed", "mixed", ("MineMaster", "RockDrive"), 14, premium=0.0, noise=1.0),
        Segment("light_commercial", "light_commercial", ("LightHaul",), 8, premium=0.5),
        Segment("bus", "bus", ("UrbanBus", "CoachPro"), 6, premium=0.8),
        Segment(
            "e_bus", "bus", ("E-Transit",), 2, premium=2.0, min_quality=0.0,
            category="ev_nev", noise=-1.0, first=False,
        ),
        Segment(
            "wide_base", "wide_base", ("SuperSingle", "WideTrack"), 4, premium=1.5,
            min_quality=0.0, category="wide_base", first=False,
        ),
    ),
    "bias": (Segment("bias_truck", "bias_truck", ("Workhorse", "BiasPro", "TuffLug"), 1),),
    "otr": (
        Segment("otr_bias", "otr_bias", ("LoaderBias", "QuarryGrip"), 45),
        Segment("otr_radial", "otr_radial", ("EarthMover", "PortRadial"), 40),
        Segment(
            "otr_giant", "otr_giant", ("MegaHaul", "GiantMine"), 15, min_quality=0.2, first=False
        ),
    ),
    "agricultural": (
        Segment("agri_bias", "agri_bias", ("FieldBias", "FarmLug"), 55),
        Segment(
            "agri_radial", "agri_radial", ("AgriRadial", "HarvestPro"), 45, min_quality=-0.5,
            category="agricultural_radial", first=False,
        ),
    ),
    "aviation": (
        Segment("aircraft", "aircraft", ("SkyLand", "AeroRib"), 1, category="aviation"),
    ),
    "industrial": (Segment("industrial", "industrial", ("LiftMaster", "PortLoad"), 1),),
    "motorcycle": (Segment("motorcycle", "motorcycle", ("StreetMoto", "TrailMoto"), 1),),
    "non_pneumatic": (
        Segment(
            "non_pneumatic", "non_pneumatic", ("AirFree", "SolidFlex"), 1,
            category="non_pneumatic",
        ),
    ),
    "retread": (Segment("retread", "retread", ("ReTread", "RenewHaul"), 1, premium=0.0),),
}  # fmt: skip
"""Segments per product line (the codes of ``data/metadata.yaml``)."""

MAX_SIZES = {"semi_steel_radial": 10, "all_steel_radial": 7}
"""At most this many sizes per pattern (others: 5)."""

# --- brands ---------------------------------------------------------------------------------------

BRAND_SYLLABLES = """
Ao Bei Cen Dai Fei Gao Han Hao Jia Kai Lan Lei Mu Nuo Pei Qiao Rui Shuo Tao Wei Xin Yao Yun Ze Zhi
Jun Lu Ming Tian Yu Heng Ke Lian Ning Ou Song
|
ba chi da fan ge jie kang lu ma nan pu ran sheng tuo wei xing zhen rong bo teng ke qin shan yi lang
ao rui ye xuan
"""
BRAND_HEADS = tuple(BRAND_SYLLABLES.split("|")[0].split())
BRAND_TAILS = tuple(BRAND_SYLLABLES.split("|")[1].split())
REAL_BRANDS_TABLE = """
linglong sailun triangle doublestar sentury prinx chengshan austone goodride westlake giti aeolus
wanli roadx haida kapsen zeta habilead landsail jinyu hengfeng yinbao fullrun wanda aoteli taishan
huasheng lanvigator sunfull compasal goalstar hilo mazzini kumho hankook maxxis nexen roadstone
michelin bridgestone goodyear continental pirelli dunlop yokohama toyo falken kenda cst nankang
federal zhongce chaoyang longmarch yongsheng xingyuan hengyu shengtai dongfeng huayi fengshen
shuangxing sanjiao qilun jinlun ovation rapid atlas boto aufine aplus infinity delinte firemax
blackhawk tracmax rotalla ilink haohua yellowsea kaixuan zhengxin jiatong fuda lianfu wanfeng
shengshi
"""
REAL_BRANDS = tuple(REAL_BRANDS_TABLE.split())
"""Real tyre brands (and makers): a demo brand must neither be nor contain one."""


def brand_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct invented, pinyin-like brand names (two syllables, then three)."""
    pairs = [h + t for h in BRAND_HEADS for t in BRAND_TAILS]
    rng.shuffle(pairs)
    names = [p for p in pairs if not _real(p)]
    if count > len(names):
        triples = [p + t for p in names for t in BRAND_TAILS]
        rng.shuffle(triples)
        names += [t for t in triples if not _real(t)]
    return names[:count]


def _real(name: str) -> bool:
    low = name.lower()
    return any(real in low for real in REAL_BRANDS)


# --- planning -------------------------------------------------------------------------------------


@dataclass
class PlannedProduct:
    """A product in memory, with what the output split needs."""

    data: ProductInput
    firm: int
    line: str
    launch: int
    last: int | None
    base: float
    high_end: bool = False

    def life(self, year: int) -> float:
        """Relative output in a year: ramps up after launch, down before discontinuation."""
        if year < self.launch or (self.last is not None and year > self.last):
            return 0.0
        age = year - self.launch
        w = (0.35, 0.7)[age] if age < 2 else 1.0 if age <= 6 else 0.92 ** (age - 6)
        if self.last is not None:
            w *= {0: 0.35, 1: 0.7}.get(self.last - year, 1.0)
        return w


@dataclass
class _Pattern:
    segment: Segment
    name: str
    brand: str
    premium: bool
    launch: int
    last: int | None
    popularity: float
    snow: bool
    ice: bool
    draws: tuple[float, ...]  # standard normal draws for the pattern's values


@dataclass
class ProductPlan:
    """Every demo product, and the province's high-end share by output per year."""

    products: list[PlannedProduct] = field(default_factory=list)
    share: dict[int, float] = field(default_factory=dict)


def product_budget(n: int) -> int:
    """How many products ``n`` enterprises have in all (before the one-per-line minimum)."""
    if n <= REFERENCE_SIZE:
        return PRODUCTS_PER_ENTERPRISE * n
    grown = PRODUCTS_PER_ENTERPRISE * REFERENCE_SIZE * (n / REFERENCE_SIZE) ** 0.55
    return min(MAX_PRODUCTS, round(grown))


def plan_products(
    firms: Sequence[Firm],
    years: Sequence[int],
    seed: int,
    thresholds: list[dict[str, Any]],
    taken_gtins: set[str] | frozenset[str] = frozenset(),
) -> ProductPlan:
    """The demo products of the firms, with outputs; sets each firm's ``output_high_end_tyres``.

    Call after the firms are planned (codes, lines, revenue, output and R&D are needed) and before
    their values are saved.
    """
    return _Planner(firms, list(years), seed, thresholds, taken_gtins).plan()


class _Planner:
    def __init__(self, firms, years, seed, thresholds, taken_gtins) -> None:
        self.firms = list(firms)
        self.years = years
        self.rng = random.Random(f"demo-products-{seed}")
        self.thresholds = thresholds
        self.taken_gtins = set(taken_gtins)
        self.quality: dict[int, float] = {}
        self.products: list[PlannedProduct] = []
        self.report_seq = 0
        self.factors: dict[int, float] = {}  # year: factor on the high-end products' weights

    def plan(self) -> ProductPlan:
        self._quality()
        counts = self._counts()
        brands = brand_names(self.rng, sum(self._brand_count(f, counts) for f in self.firms))
        prefixes = self.rng.sample(range(100_000), len(self.firms))
        for f in self.firms:
            own = [brands.pop() for _i in range(self._brand_count(f, counts))]
            self._firm_products(f, counts[f.index], own, f"{GTIN_PREFIX}{prefixes[f.index]:05d}")
        share = self._outputs()
        return ProductPlan(self.products, share)

    # quality: R&D intensity and size, standardised
    def _quality(self) -> None:
        rng, years = self.rng, self.years
        rd, size = {}, {}
        for f in self.firms:
            revenue = sum(f.revenue[y] for y in years) or 1.0
            spend = sum(float(f.values[y].get("rd_spend") or 0) for y in years)
            rd[f.index] = math.log(max(spend / revenue, 1e-4))
            size[f.index] = math.log(max(revenue, 1.0))
        z_rd, z_size = _standardise(rd), _standardise(size)
        for f in self.firms:
            q = 0.6 * z_rd[f.index] + 0.4 * z_size[f.index] + rng.gauss(0, 0.3)
            if f.giant:
                q = max(q, 1.5)
            self.quality[f.index] = min(max(q, -2.5), 2.5)

    # how many products each firm makes on each line
    def _counts(self) -> dict[int, dict[str, int]]:
        firms, last = self.firms, self.years[-1]
        minimum = {f.index: len(f.lines) for f in firms}
        rest = max(0, product_budget(len(firms)) - sum(minimum.values()))
        weight = {f.index: max(f.revenue[last], 1.0) ** 0.5 for f in firms}
        total = sum(weight.values())
        extra = {i: rest * w / total for i, w in weight.items()}
        whole = {i: math.floor(x) for i, x in extra.items()}
        left = rest - sum(whole.values())
        for i in sorted(extra, key=lambda i: (-(extra[i] - whole[i]), i))[:left]:
            whole[i] += 1
        out = {}
        for f in firms:
            n = min(minimum[f.index] + whole[f.index], MAX_PER_ENTERPRISE)
            units = _unit_shares(f)
            per_line = dict.fromkeys(f.lines, 1)
            spare = n - len(f.lines)
            if "aviation" in per_line and spare > 0:  # a handful of aircraft sizes
                per_line["aviation"] += min(3, spare)
                spare -= min(3, spare)
            caps = {line: 6 if line in ("aviation", "non_pneumatic") else n for line in f.lines}
            w = {line: units[line] ** 0.5 for line in f.lines}
            while spare > 0:
                open_lines = [line for line in f.lines if per_line[line] < caps[line]]
                if not open_lines:
                    break
                # give the next product to the line furthest below its share
                line = min(open_lines, key=lambda x: (per_line[x] / w[x], f.lines.index(x)))
                per_line[line] += 1
                spare -= 1
            out[f.index] = per_line
        return out

    def _brand_count(self, f: Firm, counts: dict[int, dict[str, int]]) -> int:
        n = sum(counts[f.index].values())
        return 3 if f.giant else 2 if n >= 30 else 1

    # the products of one firm
    def _firm_products(self, f: Firm, per_line: dict[str, int], brands: list[str], prefix: str):
        rng, q = self.rng, self.quality[f.index]
        used_names: set[tuple[str, str]] = set()
        item = 0
        for line in f.lines:
            wanted = per_line[line]
            first = True
            while wanted > 0:
                pattern = self._pattern(f, line, brands, used_names, first=first)
                first = False
                pool = SIZES[pattern.segment.sizes]
                k = min(wanted, rng.randint(1, MAX_SIZES.get(line, 5)), len(pool))
                for size_text, size_weight in _weighted_sample(rng, pool, k):
                    item += 1
                    product = self._product(f, line, pattern, size_text, size_weight, q)
                    product.data.gtin = self._gtin(prefix, item)
                    self.products.append(product)
                    wanted -= 1

    def _pattern(self, f, line, brands, used_names, first: bool) -> _Pattern:
        rng, q, years = self.rng, self.quality[f.index], self.years
        choices = [s for s in SEGMENTS[line] if q >= s.min_quality and (s.first or not first)]
        if not choices:
            choices = [s for s in SEGMENTS[line] if s.first] or list(SEGMENTS[line])
        segment = rng.choices(choices, weights=[s.weight for s in choices])[0]
        chance = min(max(0.14 + 0.12 * q, 0.02), 0.55) * segment.premium
        premium = not first and rng.random() < chance
        brand = brands[0] if rng.random() < 0.7 else rng.choice(brands)
        while True:
            word = rng.choice(segment.words)
            code = f"{rng.choice('ABCDEHKMPSTX')}{rng.randint(1, 9)}"
            if (brand, f"{word} {code}") not in used_names:
                break
        used_names.add((brand, f"{word} {code}"))
        first_year = years[0]
        if first:
            launch = rng.randint(first_year - 12, first_year - 1)
        elif premium or segment.category:
            launch = rng.choices(
                range(first_year - 5, years[-1] + 1),
                weights=[1 + 0.6 * i for i in range(len(years) + 5)],
            )[0]
        else:
            launch = rng.randint(first_year - 14, years[-1] - 1)
        last = None
        if not first and not premium and launch <= first_year - 4 and rng.random() < 0.35:
            last = rng.randint(first_year + 1, years[-1] - 1)
        snow = rng.random() < segment.snow
        return _Pattern(
            segment,
            f"{word} {code}",
            brand,
            premium,
            launch,
            last,
            rng.lognormvariate(0.0, 0.6),
            snow,
            snow and rng.random() < segment.ice,
            tuple(rng.gauss(0, 1) for _i in range(4)),
        )

    def _product(self, f, line, pattern: _Pattern, size_text, size_weight, q) -> PlannedProduct:
        rng = self.rng
        size = parse_size(size_text)
        categories = [pattern.segment.category] if pattern.segment.category else []
        values = _values(rng, size, line, pattern, q)
        self.report_seq += 1
        data = ProductInput(
            enterprise=f.code,
            brand=pattern.brand,
            pattern=pattern.name,
            size=size.text,
            product_line=line,
            snow=pattern.snow,
            ice=pattern.ice,
            categories=categories,
            test_report=f"TR-DEMO-{max(pattern.launch, 2015)}-{self.report_seq:06d}",
            **values,
        )
        facts = {
            "product_line": line,
            "categories": categories,
            "aspect_ratio": size.aspect_ratio,
            "rim_diameter_in": size.rim_diameter_in,
            "section_width_mm": size.section_width_mm,
            "noise_db": data.noise_db,
            "rolling_resistance": data.rolling_resistance,
            "wet_grip": data.wet_grip,
            "wear_km_per_mm": data.wear_km_per_mm,
        }
        high_end = bool(high_end_codes(classify(facts, self.thresholds)))
        base = size_weight * pattern.popularity * (1.3 if pattern.premium else 1.0)
        return PlannedProduct(data, f.index, line, pattern.launch, pattern.last, base, high_end)

    def _gtin(self, prefix: str, item: int) -> str | None:
        if self.rng.random() >= GTIN_SHARE:
            return None
        while True:
            body = f"{prefix}{item % 10_000:04d}"
            gtin = normalise_gtin(body + check_digit(body))
            if gtin not in self.taken_gtins:
                self.taken_gtins.add(gtin)
                return gtin
            item += 1  # pragma: no cover - only if real products use the same numbers

    # yearly output: exact per firm and year, high-end share of the province on the path
    def _outputs(self) -> dict[int, float]:
        years = self.years
        by_line: dict[tuple[int, str], list[PlannedProduct]] = {}
        for p in self.products:
            by_line.setdefault((p.firm, p.line), []).append(p)
        line_output: dict[tuple[int, str, int], int] = {}
        for f in self.firms:
            units = _unit_shares(f)
            for y in years:
                split = _split(int(f.values[y]["output_tyres"]), [units[x] for x in f.lines])
                for line, n in zip(f.lines, split, strict=True):
                    line_output[f.index, line, y] = n
        share = {}
        for y in years:
            cells = []  # (output, high-end weight, other weight)
            for (firm, line), products in by_line.items():
                he = sum(p.base * p.life(y) for p in products if p.high_end)
                other = sum(p.base * p.life(y) for p in products if not p.high_end)
                cells.append((line_output[firm, line, y], he, other))
            k = _solve_factor(cells, at(PATHS["high_end_share"], y) / 100)
            for (firm, line), products in by_line.items():
                weights = [p.base * p.life(y) * (k if p.high_end else 1.0) for p in products]
                if not any(weights):  # pragma: no cover - the first pattern is always made
                    weights = [p.base for p in products]
                for p, n in zip(products, _split(line_output[firm, line, y], weights), strict=True):
                    if n:
                        p.data.outputs[y] = n
            high = dict.fromkeys((f.index for f in self.firms), 0)
            for p in self.products:
                if p.high_end and y in p.data.outputs:
                    high[p.firm] += p.data.outputs[y]
            for f in self.firms:
                f.values[y]["output_high_end_tyres"] = high[f.index]
            out = sum(int(f.values[y]["output_tyres"]) for f in self.firms)
            share[y] = sum(high.values()) / out if out else 0.0
            self.factors[y] = k
        return share


def _values(rng: random.Random, size: TyreSize, line: str, pattern: _Pattern, q: float) -> dict:
    """Label values for a product of the pattern in the size (none for unlabelled tyres)."""
    klass = size.tyre_class
    if klass is None:
        return {}
    seg, d = pattern.segment, pattern.draws
    width = size.section_width_mm or 200.0
    noise_rr, noise_wet = rng.gauss(0, 0.22), rng.gauss(0, 0.03)
    if klass == "C1":
        if pattern.premium:
            rr = _clip(7.5 + 0.55 * d[0] + seg.rr + noise_rr, 6.0, 8.9)
            wet = _clip(1.45 + 0.07 * d[1] + noise_wet, 1.27, 1.66)
        else:
            rr = _clip(8.45 - 0.3 * q + 0.65 * d[0] + seg.rr + noise_rr, 6.6, 11.3)
            wet = _clip(1.23 + 0.05 * q + 0.08 * d[1] + seg.wet + noise_wet, 1.02, 1.56)
        noise = 69.2 + (width - 185) / 50 + seg.noise - (0.7 if pattern.premium else 0)
    elif klass == "C2":
        if pattern.premium:
            rr = _clip(6.3 + 0.45 * d[0] + seg.rr + noise_rr, 5.2, 7.4)
            wet = _clip(1.36 + 0.06 * d[1] + noise_wet, 1.26, 1.52)
        else:
            rr = _clip(7.55 - 0.25 * q + 0.55 * d[0] + seg.rr + noise_rr, 5.8, 9.9)
            wet = _clip(1.19 + 0.04 * q + 0.08 * d[1] + seg.wet + noise_wet, 0.98, 1.44)
        noise = 70.5 + seg.noise
    else:
        steel = line == "all_steel_radial"
        if pattern.premium and steel:
            rr = _clip(3.8 + 0.12 * d[0] + seg.rr + 0.3 * noise_rr, 3.4, 4.0)
            wet = _clip(1.29 + 0.025 * d[1] + 0.3 * noise_wet, 1.25, 1.36)
        elif line == "retread":
            rr = _clip(6.3 + 0.45 * d[0] + noise_rr, 5.0, 8.0)
            wet = _clip(0.93 + 0.06 * d[1] + noise_wet, 0.78, 1.1)
        else:
            rr = _clip(5.55 - 0.3 * q + 0.6 * d[0] + seg.rr + noise_rr, 4.1, 7.6)
            wet = _clip(1.0 + 0.04 * q + 0.09 * d[1] + seg.wet + noise_wet, 0.8, 1.24)
        noise = 70.8 + seg.noise - (0.5 if pattern.premium else 0)
    values: dict[str, Any] = {
        "rolling_resistance": Decimal(f"{rr:.1f}"),
        "wet_grip": Decimal(f"{wet:.2f}"),
        "noise_db": round(_clip(noise + 0.9 * d[2] + rng.gauss(0, 0.5), 66.6, 74.4)),
    }
    if line == "all_steel_radial":
        if pattern.premium:
            wear = _clip(21_800 + 1_000 * d[3] + rng.gauss(0, 300), 20_000, 25_000)
        else:
            wear = _clip(15_800 + 1_200 * q + 2_000 * d[3] + rng.gauss(0, 500), 11_500, 21_500)
        values["wear_km_per_mm"] = round(wear / 100) * 100
    return values


# --- saving ---------------------------------------------------------------------------------------


def save_products(
    actor,
    plan: ProductPlan,
    thresholds: list[dict[str, Any]],
    report: Progress | None = None,
) -> int:
    """Save the planned products through the product service (validated, derived, audited)."""
    report = report or (lambda stage, done, total: None)
    total = len(plan.products)
    step = max(1, total // 200)
    report("products", 0, total)
    for i, p in enumerate(plan.products, start=1):
        save_product(actor, p.data, thresholds=thresholds, is_demo=True)
        if i % step == 0 or i == total:
            report("products", i, total)
    return total


def delete_demo_products() -> int:
    """Delete the products of the demo enterprises (before the enterprises, in bulk)."""
    from tirebrain.products.models import Product, ProductOutput

    demo = Product.objects.filter(enterprise__is_demo=True)
    count = demo.count()
    ProductOutput.objects.filter(product__in=demo.values("pk")).delete()
    Product.categories.through.objects.filter(product__in=demo.values("pk")).delete()
    demo.delete()
    return count


# --- helpers --------------------------------------------------------------------------------------


def _clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def _standardise(values: dict[int, float]) -> dict[int, float]:
    n = len(values)
    mean = sum(values.values()) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values.values()) / n) or 1.0
    return {k: (v - mean) / sd for k, v in values.items()}


def _unit_shares(f: Firm) -> dict[str, float]:
    """Each line's share of the firm's tyres: revenue share over price, as the generator counts."""
    raw = {line: f.shares.get(line, 0.0) / LINES[line][0] for line in f.lines}
    total = sum(raw.values())
    if not total:
        return {line: 1 / len(f.lines) for line in f.lines}
    return {line: w / total for line, w in raw.items()}


def _weighted_sample(rng: random.Random, pool, k: int) -> list[tuple[str, float]]:
    """k distinct (size, weight) rows, likelier the larger the weight (Efraimidis–Spirakis)."""
    keyed = sorted(pool, key=lambda row: -(rng.random() ** (1 / row[1])))
    return keyed[:k]


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split into integers proportional to the weights (largest remainder)."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    exact = [total * w / s for w in weights]
    parts = [math.floor(x) for x in exact]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _solve_factor(cells: list[tuple[int, float, float]], target: float) -> float:
    """The factor k on high-end weights that makes the high-end share of output ``target``.

    Each cell (a firm's line in a year) has output O and the high-end and other products'
    weights H and W; its high-end output is O·kH / (kH + W). Bisection on log k.
    """
    whole = sum(c[0] for c in cells)
    if not whole:
        return 1.0

    def share(k: float) -> float:
        he = 0.0
        for out, h, w in cells:
            if h:
                he += out * k * h / (k * h + w)
        return he / whole

    lo, hi = -12.0, 12.0
    for _i in range(60):
        mid = (lo + hi) / 2
        if share(math.exp(mid)) < target:
            lo = mid
        else:
            hi = mid
    return math.exp((lo + hi) / 2)
