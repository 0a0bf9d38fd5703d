"""The deterministic synthetic demo data set (示例数据): fictional tyre enterprises and their data.

Every enterprise is fictional and marked as such twice: ``is_demo=True`` and a name ending in
（示例） / (demo). Trade names are invented two-character names checked against a list of real
Shandong tyre makers (:data:`EXCLUDED_TRADE_NAMES`); divisions are real GB/T 2260 county codes so
the credit codes validate.

The generator is *deterministic*: one ``random.Random(seed)`` drives every choice, everything is
iterated in a fixed order and nothing reads the clock or the environment, so the same arguments give
the same database content.

It is also *calibrated*: raw per-enterprise figures are drawn at random and then scaled, year by
year, so that the province's aggregates follow the paths in :data:`PATHS` (revenue, R&D intensity,
digital adoption, energy efficiency, capacity share, high-end share, honour counts). At the default
size of 150 enterprises the plan's 18 targets then show a mix of on-track, at-risk and off-track
statuses. Province-wide money and output totals are the same at any size (a few giants keep their
absolute size; the long tail shares the rest), so the cockpit looks the same at 150 or 10,000
enterprises; honour counts scale with the number of enterprises (× N/150).

Each enterprise also gets tyre products with yearly output (:mod:`tirebrain.demo.products`, about
3,000 at 150 enterprises): the registry's output adds up to each enterprise's ``output_tyres``, and
its high-end output, which follows the high-end share path, is what ``output_high_end_tyres``
reports. The products draw from their own random stream, so they leave the rest unchanged.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from tirebrain.core import audit
from tirebrain.core.models import AuditAction
from tirebrain.datavalues.models import DataElement, DataValue
from tirebrain.datavalues.services import ValueInput, load_new_values, refresh_rollups
from tirebrain.orgs.creditcode import make_credit_code
from tirebrain.orgs.models import (
    Cluster,
    Enterprise,
    Honour,
    HonourType,
    Organisation,
    ProductLine,
)
from tirebrain.orgs.services import EnterpriseInput, HonourInput, save_enterprise
from tirebrain.plan.models import PlanVersion
from tirebrain.products.models import Product, ProductCategory
from tirebrain.products.services import current_thresholds

Progress = Callable[[str, int, int], None]

DEFAULT_YEARS = range(2021, 2026)
REFERENCE_SIZE = 150
"""The size the calibration paths are written for; honour counts scale by N / 150."""

VALUE_BATCH = 50_000
"""About this many values per call of ``load_new_values`` (one year, a slice of the elements)."""

DEMO_SUFFIX_ZH = "（示例）"
DEMO_SUFFIX_EN = " (demo)"

# --- reference tables -----------------------------------------------------------------------------

CITY_WEIGHTS: dict[str, float] = {
    "370500": 30,
    "370700": 15,
    "370200": 12,
    "370600": 8,
    "371600": 6,
    "371000": 5,
    "371100": 2.6,
    "370800": 2.6,
    "370400": 2.4,
    "371500": 2.6,
    "371400": 2.4,
    "371700": 2.0,
    "371300": 2.8,
    "370300": 2.6,
    "370100": 1.6,
    "370900": 1.4,
}
"""Share of enterprises per city (percent), roughly as the real industry is spread."""

COUNTIES_TABLE = """
370100 370112 历城区 历城 Licheng 1
370100 370114 章丘区 章丘 Zhangqiu 1
370100 370115 济阳区 济阳 Jiyang 1
370200 370211 黄岛区 黄岛 Huangdao 3
370200 370215 即墨区 即墨 Jimo 2
370200 370281 胶州市 胶州 Jiaozhou 1
370200 370283 平度市 平度 Pingdu 1
370200 370214 城阳区 城阳 Chengyang 1
370300 370305 临淄区 临淄 Linzi 1
370300 370321 桓台县 桓台 Huantai 1
370300 370303 张店区 张店 Zhangdian 1
370400 370481 滕州市 滕州 Tengzhou 2
370400 370403 薛城区 薛城 Xuecheng 1
370400 370402 市中区 市中 Shizhong 1
370500 370523 广饶县 广饶 Guangrao 4
370500 370505 垦利区 垦利 Kenli 2
370500 370502 东营区 东营区 Dongyingqu 1
370500 370503 河口区 河口 Hekou 1
370500 370522 利津县 利津 Lijin 1
370600 370685 招远市 招远 Zhaoyuan 2
370600 370681 龙口市 龙口 Longkou 2
370600 370683 莱州市 莱州 Laizhou 1
370600 370611 福山区 福山 Fushan 1
370600 370687 海阳市 海阳 Haiyang 1
370700 370783 寿光市 寿光 Shouguang 3
370700 370725 昌乐县 昌乐 Changle 2
370700 370781 青州市 青州 Qingzhou 2
370700 370785 高密市 高密 Gaomi 1
370700 370702 潍城区 潍城 Weicheng 1
370700 370786 昌邑市 昌邑 Changyi 1
370800 370812 兖州区 兖州 Yanzhou 2
370800 370883 邹城市 邹城 Zoucheng 1
370800 370811 任城区 任城 Rencheng 1
370800 370832 梁山县 梁山 Liangshan 1
370900 370983 肥城市 肥城 Feicheng 1
370900 370982 新泰市 新泰 Xintai 1
370900 370911 岱岳区 岱岳 Daiyue 1
371000 371082 荣成市 荣成 Rongcheng 2
371000 371003 文登区 文登 Wendeng 2
371000 371002 环翠区 环翠 Huancui 1
371000 371083 乳山市 乳山 Rushan 1
371100 371102 东港区 东港 Donggang 2
371100 371122 莒县 莒县 Juxian 1
371100 371103 岚山区 岚山 Lanshan 1
371300 371302 兰山区 兰山 Lanshan 1
371300 371329 临沭县 临沭 Linshu 1
371300 371325 费县 费县 Feixian 1
371300 371311 罗庄区 罗庄 Luozhuang 1
371400 371402 德城区 德城 Decheng 1
371400 371482 禹城市 禹城 Yucheng 1
371400 371481 乐陵市 乐陵 Laoling 1
371400 371425 齐河县 齐河 Qihe 1
371500 371581 临清市 临清 Linqing 1
371500 371502 东昌府区 东昌府 Dongchangfu 1
371500 371503 茌平区 茌平 Chiping 1
371500 371526 高唐县 高唐 Gaotang 1
371600 371625 博兴县 博兴 Boxing 2
371600 371681 邹平市 邹平 Zouping 1
371600 371602 滨城区 滨城 Bincheng 1
371600 371623 无棣县 无棣 Wudi 1
371600 371621 惠民县 惠民 Huimin 1
371700 371702 牡丹区 牡丹 Mudan 1
371700 371721 曹县 曹县 Caoxian 1
371700 371725 郓城县 郓城 Yuncheng 1
371700 371728 东明县 东明 Dongming 1
"""
"""city, GB/T 2260 county code, county name, short name, pinyin of the short name, weight."""


def _counties(table: str) -> dict[str, tuple[tuple[str, str, str, str, int], ...]]:
    out: dict[str, tuple[tuple[str, str, str, str, int], ...]] = {}
    for row in table.split("\n"):
        if row.strip():
            city, code, name, short, pinyin, weight = row.split()
            out[city] = (*out.get(city, ()), (code, name, short, pinyin, int(weight)))
    return out


COUNTIES = _counties(COUNTIES_TABLE)

TRADE_NAMES_TABLE = """
恒岳 Hengyue    青屿 Qingyu    岚峰 Lanfeng    鸿川 Hongchuan    朔原 Shuoyuan    辰驰 Chenchi
砺野 Liye    澄岭 Chengling    溯川 Suchuan    翎驰 Lingchi    墨岩 Moyan    曜途 Yaotu
瀚辙 Hanzhe    骁辰 Xiaochen    穹野 Qiongye    砥行 Dixing    澈原 Cheyuan    峻程 Juncheng
岱远 Daiyuan    汀泽 Tingze    昭驰 Zhaochi    霁川 Jichuan    衡途 Hengtu    烨岭 Yeling
屹驰 Yichi    朗越 Langyue    渊拓 Yuantuo    骋原 Chengyuan    崇轩 Chongxuan    栖岚 Qilan
翊程 Yicheng    弈峰 Yifeng    璟驰 Jingchi    睿辙 Ruizhe    泓屿 Hongyu    峥途 Zhengtu
洺川 Mingchuan    珩野 Hengye    垚驰 Yaochi    钧岳 Junyue    煦原 Xuyuan    骐远 Qiyuan
溪岚 Xilan    舜途 Shuntu    凌辙 Lingzhe    嵩程 Songcheng    澹川 Danchuan    岑驰 Cenchi
燊拓 Shentuo    焕岳 Huanyue    翱途 Aotu    沛岭 Peiling    琨驰 Kunchi    晟屿 Shengyu
岿远 Kuiyuan    湛川 Zhanchuan    骞原 Qianyuan    珏程 Juecheng    峙野 Zhiye    旻驰 Minchi
"""
TRADE_NAMES: tuple[tuple[str, str], ...] = tuple(
    zip(TRADE_NAMES_TABLE.split()[::2], TRADE_NAMES_TABLE.split()[1::2], strict=True)
)
"""Invented trade names (字号) with their pinyin."""

EXCLUDED_TABLE = """
玲珑 赛轮 三角 双星 森麒麟 麒麟 浦林 成山 兴源 华盛 万达 宝通 昊华 恒丰 金宇 永泰
永盛 恒宇 奥戈 中策 佳通 双钱 风神 贵轮 万力 朝阳 前进 回力 丰源 华勤 通力 宏盛
昌丰 盛泰 胜通 美晨 路盛 联邦 中一 华鲁 东岳 泰山 黄海 正新 建大 固铂 米其林
"""
EXCLUDED_TRADE_NAMES: tuple[str, ...] = tuple(EXCLUDED_TABLE.split())
"""Real tyre makers' (and other well-known) trade names that a demo name must never contain."""

RADIAL_SUFFIXES = (
    ("轮胎", "Tyre"),
    ("橡胶", "Rubber"),
    ("轮胎科技", "Tyre Technology"),
    ("橡胶轮胎", "Rubber & Tyre"),
)
SPECIALTY_SUFFIXES = (
    ("特种轮胎", "Specialty Tyre"),
    ("橡胶制品", "Rubber Products"),
    ("轮胎", "Tyre"),
)

# Product lines: (price in CNY per tyre in the first year, weight in kg, natural-rubber share of
# the weight, high-end share of the line before calibration).
LINES: dict[str, tuple[float, float, float, float]] = {
    "all_steel_radial": (1250, 52.0, 0.28, 0.25),
    "semi_steel_radial": (290, 9.2, 0.15, 0.25),
    "bias": (420, 22.0, 0.22, 0.0),
    "otr": (5200, 180.0, 0.30, 0.15),
    "agricultural": (850, 45.0, 0.22, 0.10),
    "aviation": (18000, 60.0, 0.35, 1.0),
    "industrial": (480, 25.0, 0.20, 0.0),
    "motorcycle": (110, 4.0, 0.18, 0.0),
    "non_pneumatic": (1600, 40.0, 0.10, 1.0),
    "retread": (650, 45.0, 0.20, 0.0),
}
PRICE_RISE = 0.015  # per year
SPECIALTY = ("bias", "otr", "agricultural", "industrial", "motorcycle", "retread")
PRODUCT_CATEGORIES = frozenset(
    {"self_sealing", "aviation", "agricultural_radial", "ev_nev", "non_pneumatic", "wide_base"}
)
"""The special product categories (``data/metadata.yaml``) the demo products use."""

ELEMENTS: tuple[str, ...] = (
    "revenue",
    "rd_spend",
    "profit",
    "export_value",
    "capacity_tyres",
    "output_tyres",
    "output_high_end_tyres",
    "output_all_steel_t",
    "output_semi_steel_t",
    "energy_all_steel_kgce",
    "energy_semi_steel_kgce",
    "electricity_kwh",
    "carbon_emissions_t",
    "natural_rubber_t",
    "employees",
    "rd_staff",
    "invention_patents",
    "digital_rd_tools",
    "digital_transformation",
    "global_rank",
)
"""The data elements of ``data/metadata.yaml`` the generator fills, every one for every year."""

GRID_FACTOR = {2021: 0.5568, 2022: 0.5366, 2023: 0.5306}
"""National average grid emission factor, t CO2 per MWh; later years reuse 2023."""
ELECTRICITY_KGCE_PER_KWH = 0.1229  # equivalent value (当量值)
CO2_PER_TCE_FUEL = 2.66  # t CO2 per tonne of coal equivalent of fuel (coal-dominated steam)

HUNDRED_MILLION = 1e8
ABOVE_SCALE_REVENUE = 2.05e7
"""Revenue of the smallest above-scale enterprise at N <= 150 (the threshold is 20 million CNY)."""
TAIL_CAP = 9.0e9
"""No enterprise but the giants reaches 10 billion CNY (T11 counts those)."""

PATHS: dict[str, dict[int, float]] = {
    # Province revenue and the clusters' revenue, in 100 million CNY (亿元): T10, T14, T15.
    "revenue_total": {2021: 1280, 2022: 1350, 2023: 1450, 2024: 1530, 2025: 1600},
    "revenue_peninsula": {2021: 430, 2022: 460, 2023: 500, 2024: 525, 2025: 545},
    "revenue_north": {2021: 580, 2022: 610, 2023: 640, 2024: 665, 2025: 690},
    # R&D intensity of above-scale enterprises, percent: T1.
    "rd_intensity": {2021: 2.05, 2022: 2.18, 2023: 2.30, 2024: 2.45, 2025: 2.60},
    # Share of above-scale enterprises using digital R&D tools / digitally transformed: T4, T5.
    "digital_rd_tools": {2021: 76, 2022: 81, 2023: 85, 2024: 87.5, 2025: 90},
    "digital_transformation": {2021: 84, 2022: 87, 2023: 90, 2024: 91, 2025: 92},
    # Output-weighted unit energy consumption, kgce per tonne (112 % → 105 % of 215; 108 % →
    # 103 % of 255): T7.
    "energy_all_steel": {2021: 253.7, 2022: 247.3, 2023: 240.8, 2024: 233.3, 2025: 225.75},
    "energy_semi_steel": {2021: 288.2, 2022: 281.8, 2023: 275.4, 2024: 269.0, 2025: 262.65},
    # Share of provincial capacity in the two clusters, percent: T13.
    "cluster_capacity_share": {2021: 72.5, 2022: 73.2, 2023: 74.0, 2024: 75.8, 2025: 77.5},
    # Share of high-end products in tyre output, percent: T18 (the product registry's output
    # follows it; see tirebrain.demo.products).
    "high_end_share": {2021: 20, 2022: 22.5, 2023: 25, 2024: 27.5, 2025: 30},
}


@dataclass(frozen=True)
class Giant:
    """One of the few large groups whose size does not shrink with the number of enterprises."""

    city: str
    county: str
    trade: tuple[str, str]
    lines: tuple[str, ...]
    founded: int
    revenue: dict[int, float]  # 亿元
    rank: dict[int, float]
    rd_ratio: float
    export_share: float


GIANTS: tuple[Giant, ...] = (
    Giant(
        city="370500", county="370523", trade=("恒岳", "Hengyue"),
        lines=("all_steel_radial", "semi_steel_radial", "otr"), founded=1976,
        revenue={2021: 200, 2022: 215, 2023: 235, 2024: 255, 2025: 270},
        rank={2021: 12, 2022: 11, 2023: 11, 2024: 10, 2025: 10}, rd_ratio=0.036, export_share=0.48,
    ),
    Giant(
        city="370200", county="370211", trade=("青屿", "Qingyu"),
        lines=("semi_steel_radial", "all_steel_radial", "aviation"), founded=1984,
        revenue={2021: 150, 2022: 160, 2023: 175, 2024: 185, 2025: 195},
        rank={2021: 18, 2022: 17, 2023: 16, 2024: 16, 2025: 15}, rd_ratio=0.034, export_share=0.55,
    ),
    Giant(
        city="370600", county="370685", trade=("岚峰", "Lanfeng"),
        lines=("semi_steel_radial", "all_steel_radial"), founded=1991,
        revenue={2021: 110, 2022: 115, 2023: 120, 2024: 125, 2025: 130},
        rank={2021: 24, 2022: 23, 2023: 22, 2024: 21, 2025: 21}, rd_ratio=0.031, export_share=0.50,
    ),
    Giant(
        city="370700", county="370783", trade=("鸿川", "Hongchuan"),
        lines=("all_steel_radial", "semi_steel_radial", "agricultural"), founded=1998,
        revenue={2021: 80, 2022: 88, 2023: 95, 2024: 99, 2025: 104},
        rank={2021: 36, 2022: 34, 2023: 32, 2024: 30, 2025: 28}, rd_ratio=0.027, export_share=0.40,
    ),
)  # fmt: skip
"""T11 (revenue above 10 billion): three giants before 2025, four in 2025. T12: the first enters
the global top 10 in 2024."""


@dataclass(frozen=True)
class HonourPlan:
    """How many enterprises hold an honour at the end of each year (at N = 150), and who."""

    code: str
    holders: dict[int, float]
    pool: str  # largest | above | radial | sme
    power: float = 0.5  # weight = revenue ** power when drawing holders from the pool
    since: int = 2015  # holders at the start hold it since a year drawn from since..first year
    national: int = 0  # the first `national` holders get the national level (types with both)
    follow_up: tuple[str, str, float] | None = None  # (type, level, chance) 1-3 years later


HONOUR_PLANS: tuple[HonourPlan, ...] = (
    # T2: two held before 2024 (not counted), one new one in 2025.
    HonourPlan(
        "tech_innovation_demo", {2021: 2, 2022: 2, 2023: 2, 2024: 2, 2025: 3}, "largest", since=2012
    ),
    # T3: national and provincial technology centres 19 → 24 (at risk against 30).
    HonourPlan(
        "tech_centre",
        {2021: 15, 2022: 17, 2023: 19, 2024: 22, 2025: 24},
        "above",
        power=0.6,
        since=2005,
        national=5,
    ),
    # T6: smart factories 10 → 16 (on track against 20).
    HonourPlan(
        "smart_factory",
        {2021: 6, 2022: 8, 2023: 10, 2024: 13, 2025: 16},
        "radial",
        power=0.5,
        since=2017,
        national=2,
    ),
    # T9: green factories 12 → 14 (off track against 20).
    HonourPlan(
        "green_factory",
        {2021: 9, 2022: 11, 2023: 12, 2024: 13, 2025: 14},
        "above",
        power=0.4,
        since=2017,
        national=3,
    ),
    # T16: 专精特新 and little giants 28 → 36 (on track against 40).
    HonourPlan(
        "zhuanjingtexin",
        {2021: 20, 2022: 24, 2023: 28, 2024: 32, 2025: 36},
        "sme",
        power=0.2,
        since=2013,
        follow_up=("little_giant", "national", 0.3),
    ),
    # T17: chain leaders 2 → 3 (on track against 4).
    HonourPlan(
        "chain_leader", {2021: 1, 2022: 2, 2023: 2, 2024: 2, 2025: 3}, "largest", since=2021
    ),
    # Further honours, for realism.
    HonourPlan(
        "morning_star_factory",
        {2021: 0, 2022: 5, 2023: 12, 2024: 20, 2025: 26},
        "above",
        power=0.3,
        since=2022,
    ),
    HonourPlan(
        "manufacturing_champion",
        {2021: 2, 2022: 2, 2023: 3, 2024: 3, 2025: 4},
        "above",
        power=1.0,
        since=2016,
    ),
    HonourPlan(
        "leading_enterprise",
        {2021: 2, 2022: 3, 2023: 4, 2024: 5, 2025: 6},
        "above",
        power=1.0,
        since=2019,
    ),
    HonourPlan(
        "innovation_centre",
        {2021: 1, 2022: 1, 2023: 2, 2024: 2, 2025: 3},
        "largest",
        since=2018,
        national=1,
    ),
)


class DemoDataError(Exception):
    """The demo data cannot be generated (missing reference data, demo data already there, …)."""


@dataclass
class GenerateSummary:
    enterprises: int
    honours: int
    values: int
    seconds: float
    seed: int = 0
    products: int = 0

    def line(self) -> str:
        return (
            f"Demo data: {self.enterprises:,} enterprises, {self.honours:,} honours, "
            f"{self.values:,} values, {self.products:,} products in {self.seconds:.1f} s "
            f"(seed {self.seed})."
        )


# --- helpers --------------------------------------------------------------------------------------


def at(anchors: dict[int, float], year: int) -> float:
    """The path's value in a year: the anchor, or a straight line through the nearest two."""
    if year in anchors:
        return anchors[year]
    ys = sorted(anchors)
    if year < ys[0]:
        y0, y1 = ys[0], ys[1]
    elif year > ys[-1]:
        y0, y1 = ys[-2], ys[-1]
    else:
        y0 = max(y for y in ys if y < year)
        y1 = min(y for y in ys if y > year)
    return anchors[y0] + (anchors[y1] - anchors[y0]) * (year - y0) / (y1 - y0)


def apportion(weights: dict[str, float], n: int, minimum: int = 0) -> dict[str, int]:
    """Split n into integer parts proportional to the weights (largest remainder, then by key)."""
    keys = sorted(weights)
    base = {k: minimum for k in keys}
    rest = n - minimum * len(keys)
    if rest < 0:
        base = dict.fromkeys(keys, 0)
        rest = n
    total = sum(weights.values())
    exact = {k: rest * weights[k] / total for k in keys}
    parts = {k: base[k] + math.floor(exact[k]) for k in keys}
    left = n - sum(parts.values())
    order = sorted(keys, key=lambda k: (-(exact[k] - math.floor(exact[k])), k))
    for k in order[:left]:
        parts[k] += 1
    return parts


def fit_total(raw: Sequence[float], total: float, lo: float, hi: float) -> list[float]:
    """Scale ``raw`` to sum to ``total`` with every value kept within [lo, hi] (water-filling)."""
    n = len(raw)
    if n == 0:
        return []
    total = min(max(total, lo * n), hi * n)
    fixed: dict[int, float] = {}
    scaled = list(raw)
    for _round in range(100):
        free = [i for i in range(n) if i not in fixed]
        weight = sum(raw[i] for i in free)
        if not free or weight <= 0:
            break
        k = (total - sum(fixed.values())) / weight
        scaled = [fixed.get(i, raw[i] * k) for i in range(n)]
        clamped = False
        for i in free:
            if scaled[i] > hi:
                fixed[i] = hi
                clamped = True
            elif scaled[i] < lo:
                fixed[i] = lo
                clamped = True
        if not clamped:
            return scaled
    return [min(max(v, lo), hi) for v in scaled]


def _thousands(x: float) -> int:
    return round(x / 1000.0) * 1000


def _name_mark(short_zh: str, short_en: str, n: int) -> tuple[str, str]:
    """What tells apart firms of the same city, trade name and suffix: the county, then a number."""
    if n == 0:
        return "", ""
    if n == 1:
        return f"（{short_zh}）", f" ({short_en})"
    return f"（{short_zh}{n}）", f" ({short_en} {n})"


def _t1(x: float) -> str:
    return f"{x:.1f}"


# --- the plan of the data set ---------------------------------------------------------------------


@dataclass
class Firm:
    index: int
    city: str
    above_scale: bool
    giant: Giant | None = None
    county: tuple[str, str, str, str, int] | None = None
    city_name: str = ""
    code: str = ""
    name_zh: str = ""
    name_en: str = ""
    lines: list[str] = field(default_factory=list)
    shares: dict[str, float] = field(default_factory=dict)
    founded: int = 2000
    capacity: int = 0
    revenue: dict[int, float] = field(default_factory=dict)
    values: dict[int, dict[str, object]] = field(default_factory=dict)
    honours: list[HonourInput] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    """What the generator reads from the database once: cities, clusters, honour levels, codes."""

    cities: dict[str, tuple[str, str, str]]  # code: (short name, full name, English name)
    clusters: dict[str, set[str]]  # peninsula / north: city codes
    honour_levels: dict[str, list[str]]
    taken_codes: frozenset[str]

    @classmethod
    def load(cls) -> Reference:
        cities = {
            code: (short_zh or name_zh, name_zh, name_en or code)
            for code, name_zh, short_zh, name_en in Organisation.objects.cities().values_list(
                "code", "name_zh", "short_zh", "name_en"
            )
        }
        clusters = {
            c.code: set(c.cities.values_list("code", flat=True))
            for c in Cluster.objects.filter(code__in=["peninsula", "north"]).order_by("code")
        }
        return cls(
            cities,
            clusters,
            dict(HonourType.objects.values_list("code", "levels")),
            frozenset(Organisation.objects.values_list("code", flat=True)),
        )


class _Builder:
    def __init__(self, n: int, seed: int, years: range, reference: Reference) -> None:
        if n < 1:
            raise DemoDataError("The number of enterprises must be at least 1.")
        if len(years) < 1:
            raise DemoDataError("At least one year is needed.")
        self.n = n
        self.rng = random.Random(seed)
        self.years = list(years)
        self.scale = n / REFERENCE_SIZE
        self.ref = reference
        self.clusters = reference.clusters
        self.taken_codes = set(reference.taken_codes)
        self.firms: list[Firm] = []

    # group of a city for the revenue paths
    def group(self, city: str) -> str:
        for name in ("peninsula", "north"):
            if city in self.clusters.get(name, set()):
                return name
        return "other"

    def build(self) -> list[Firm]:
        self._enterprises()
        self._revenue()
        self._lines_and_output()
        self._energy_and_carbon()
        self._money_and_people()
        self._digital()
        self._ranks()
        self._honours()
        self._identities()
        return self.firms

    # 1. who and where
    def _enterprises(self) -> None:
        rng, n = self.rng, self.n
        giants = list(GIANTS[: min(len(GIANTS), n // 5)])
        quota = apportion(CITY_WEIGHTS, n, minimum=1 if n >= len(CITY_WEIGHTS) else 0)
        for g in giants:
            quota[g.city] = max(0, quota[g.city] - 1)
        cities = [c for c in sorted(quota) for _i in range(quota[c])]
        cities = cities[: n - len(giants)]
        rng.shuffle(cities)
        above_n = max(len(giants), round(0.75 * n)) - len(giants)
        above = [True] * above_n + [False] * (len(cities) - above_n)
        rng.shuffle(above)
        for g in giants:
            self.firms.append(Firm(len(self.firms), g.city, True, giant=g))
        for city, is_above in zip(cities, above, strict=True):
            self.firms.append(Firm(len(self.firms), city, is_above))

    # 2. revenue, calibrated to the province and cluster paths
    def _revenue(self) -> None:
        rng, years = self.rng, self.years
        # Beyond 150 enterprises the tail shrinks (÷ N/150) so that the totals stay the same.
        shrink = max(1.0, self.scale)
        raw: dict[int, dict[int, float]] = {}
        for f in self.firms:
            if f.giant:
                f.revenue = {y: at(f.giant.revenue, y) * HUNDRED_MILLION for y in years}
                continue
            if f.above_scale:
                level = rng.lognormvariate(0.0, 1.15)
            else:
                level = rng.uniform(5e6, 1.9e7) / shrink
            path = {}
            for y in years:
                path[y] = level
                level *= 1 + min(max(rng.gauss(0.055, 0.06), -0.2), 0.35)
            if f.above_scale:
                raw[f.index] = path
            else:
                f.revenue = {y: min(max(v, 3e6 / shrink), 1.95e7 / shrink) for y, v in path.items()}
        for y in years:
            total = at(PATHS["revenue_total"], y) * HUNDRED_MILLION
            target = {
                "peninsula": at(PATHS["revenue_peninsula"], y) * HUNDRED_MILLION,
                "north": at(PATHS["revenue_north"], y) * HUNDRED_MILLION,
            }
            target["other"] = total - target["peninsula"] - target["north"]
            for group in ("peninsula", "north", "other"):
                members = [f for f in self.firms if self.group(f.city) == group]
                fixed = sum(f.revenue[y] for f in members if f.index not in raw)
                tail = [f for f in members if f.index in raw]
                fitted = fit_total(
                    [raw[f.index][y] for f in tail],
                    target[group] - fixed,
                    ABOVE_SCALE_REVENUE / shrink,
                    TAIL_CAP,
                )
                for f, v in zip(tail, fitted, strict=True):
                    f.revenue[y] = v
        for f in self.firms:
            for y in years:
                f.revenue[y] = _thousands(f.revenue[y])
                f.values[y] = {"revenue": f.revenue[y]}

    # 3. product lines, output, capacity, high-end output
    def _lines_and_output(self) -> None:
        rng, years = self.rng, self.years
        aviation_extra = self.n >= 50  # one more aviation maker besides the giant
        first = years[0]
        for f in self.firms:
            if f.giant:
                f.lines = list(f.giant.lines)
                weights = {line: (1.0 if "radial" in line else 0.08) for line in f.lines}
            else:
                r = rng.random()
                radial_chance = 0.8 if f.above_scale else 0.35
                if r < radial_chance:
                    kind = rng.random()
                    if kind < 0.38:
                        f.lines = ["semi_steel_radial"]
                    elif kind < 0.68:
                        f.lines = ["all_steel_radial"]
                    else:
                        f.lines = ["all_steel_radial", "semi_steel_radial"]
                    if rng.random() < 0.15:
                        f.lines.append(rng.choice(("otr", "agricultural", "bias", "industrial")))
                else:
                    f.lines = [rng.choice(SPECIALTY)]
                    if rng.random() < 0.3:
                        other = rng.choice(SPECIALTY)
                        if other not in f.lines:
                            f.lines.append(other)
                    if not f.above_scale and rng.random() < 0.03:
                        f.lines.append("non_pneumatic")
                if (
                    aviation_extra
                    and f.above_scale
                    and f.city == "370200"
                    and "aviation" not in f.lines
                    and "semi_steel_radial" in f.lines
                ):
                    f.lines.append("aviation")
                    aviation_extra = False
                weights = {}
                for i, line in enumerate(f.lines):
                    weights[line] = (
                        rng.uniform(0.6, 1.0)
                        if i == 0 or "radial" in line
                        else rng.uniform(0.05, 0.3)
                    )
            if "aviation" in weights:
                weights["aviation"] = 0.03
            total = sum(weights.values())
            f.shares = {line: w / total for line, w in weights.items()}
            f.founded = (
                f.giant.founded if f.giant else rng.randint(1960 if f.above_scale else 1985, 2018)
            )
            price_factor = rng.uniform(1.0, 1.2) if f.giant else rng.uniform(0.8, 1.15)
            weight_factor = rng.uniform(0.94, 1.06)
            high_end = (
                rng.uniform(1.2, 1.6)
                if f.giant
                else rng.uniform(0.3, 1.4)
                if f.above_scale
                else rng.uniform(0.0, 0.4)
            )
            util = rng.uniform(0.62, 0.92)
            for y in years:
                counts, tonnes, nr = {}, {}, 0.0
                for line, share in f.shares.items():
                    price, kg, nr_share, _he = LINES[line]
                    price *= price_factor * (1 + PRICE_RISE) ** (y - first)
                    counts[line] = f.revenue[y] * share / price
                    tonnes[line] = counts[line] * kg * weight_factor / 1000
                    nr += tonnes[line] * nr_share
                out = sum(counts.values())
                he = sum(
                    counts[line] * min(LINES[line][3] * high_end * 1.09 ** (y - first), 1.0)
                    for line in counts
                )
                v = f.values[y]
                v["_counts"], v["_tonnes"] = counts, tonnes
                v["output_tyres"] = out
                v["_high_end"] = he
                v["natural_rubber_t"] = _t1(nr * rng.uniform(0.92, 1.08))
                u = min(max(util + rng.uniform(-0.03, 0.03), 0.5), 0.95)
                v["capacity_tyres"] = out / u
                v["output_all_steel_t"] = tonnes.get("all_steel_radial", 0.0)
                v["output_semi_steel_t"] = tonnes.get("semi_steel_radial", 0.0)
        in_clusters = self.clusters.get("peninsula", set()) | self.clusters.get("north", set())
        for y in years:
            # T13: scale up the capacity of one side so the clusters' share follows the path
            share = at(PATHS["cluster_capacity_share"], y) / 100
            inside = sum(f.values[y]["capacity_tyres"] for f in self.firms if f.city in in_clusters)
            outside = sum(
                f.values[y]["capacity_tyres"] for f in self.firms if f.city not in in_clusters
            )
            if inside and outside:
                k = inside * (1 - share) / (share * outside)
                for f in self.firms:
                    if (f.city in in_clusters) == (k < 1):
                        f.values[y]["capacity_tyres"] *= 1 / k if k < 1 else k
            # T18: scale the high-end output so its share follows the path (replaced by the
            # product registry's high-end output when the products are planned)
            out = sum(f.values[y]["output_tyres"] for f in self.firms)
            he = sum(f.values[y]["_high_end"] for f in self.firms)
            k = at(PATHS["high_end_share"], y) / 100 * out / he if he else 0.0
            for f in self.firms:
                v = f.values[y]
                v["output_high_end_tyres"] = int(min(v["_high_end"] * k, 0.95 * v["output_tyres"]))
                v["output_tyres"] = round(v["output_tyres"])
                v["capacity_tyres"] = round(v["capacity_tyres"] / 100) * 100
                del v["_high_end"]
        for f in self.firms:
            f.capacity = f.values[years[-1]]["capacity_tyres"]

    # 4. energy (T7), electricity and CO2 (T8)
    def _energy_and_carbon(self) -> None:
        rng, years, first = self.rng, self.years, self.years[0]
        per_firm = []
        for _f in self.firms:
            per_firm.append(
                (
                    min(max(rng.gauss(1.0, 0.05), 0.9), 1.12),
                    min(max(rng.gauss(1.0, 0.05), 0.9), 1.12),
                    rng.uniform(0.01, 0.02),
                    rng.uniform(1100, 1500),
                    rng.uniform(0.01, 0.02),
                    rng.uniform(280, 340),
                )
            )
        for y in years:
            factors = {}
            for line, path in (
                ("all_steel_radial", "energy_all_steel"),
                ("semi_steel_radial", "energy_semi_steel"),
            ):
                slot = 0 if line == "all_steel_radial" else 1
                t = sum(f.values[y]["_tonnes"].get(line, 0.0) for f in self.firms)
                raw = sum(
                    f.values[y]["_tonnes"].get(line, 0.0)
                    * per_firm[f.index][slot]
                    * (1 - per_firm[f.index][2]) ** (y - first)
                    for f in self.firms
                )
                factors[line] = at(PATHS[path], y) * t / raw if raw else 0.0
            grid = GRID_FACTOR.get(y, GRID_FACTOR[min(max(y, 2021), 2023)])
            for f in self.firms:
                ue_all, ue_semi, better, kwh_t, kwh_better, ue_other = per_firm[f.index]
                v = f.values[y]
                tonnes = v.pop("_tonnes")
                v.pop("_counts")
                improve = (1 - better) ** (y - first)
                e_all = (
                    tonnes.get("all_steel_radial", 0.0)
                    * ue_all
                    * improve
                    * factors["all_steel_radial"]
                )
                e_semi = (
                    tonnes.get("semi_steel_radial", 0.0)
                    * ue_semi
                    * improve
                    * factors["semi_steel_radial"]
                )
                other_t = sum(t for line, t in tonnes.items() if "radial" not in line)
                e_other = other_t * ue_other * improve
                total_t = sum(tonnes.values())
                kwh = total_t * kwh_t * (1 - kwh_better) ** (y - first)
                energy = e_all + e_semi + e_other
                fuel = max(energy - kwh * ELECTRICITY_KGCE_PER_KWH, 0.1 * energy)
                v["output_all_steel_t"] = _t1(v["output_all_steel_t"])
                v["output_semi_steel_t"] = _t1(v["output_semi_steel_t"])
                v["energy_all_steel_kgce"] = round(e_all)
                v["energy_semi_steel_kgce"] = round(e_semi)
                v["electricity_kwh"] = round(kwh)
                v["carbon_emissions_t"] = _t1(kwh / 1000 * grid + fuel / 1000 * CO2_PER_TCE_FUEL)

    # 5. R&D (T1), profit, exports, people, patents
    def _money_and_people(self) -> None:
        rng, years, first = self.rng, self.years, self.years[0]
        rd_ratio: dict[int, dict[int, float]] = {}
        for f in self.firms:
            if f.giant:
                base = f.giant.rd_ratio
            elif f.above_scale:
                base = rng.uniform(0.012, 0.04)
            else:
                base = rng.uniform(0.003, 0.015)
            drift = rng.uniform(0.0, 0.06)
            rd_ratio[f.index] = {
                y: base * (1 + drift) ** (y - first) * rng.uniform(0.95, 1.05) for y in years
            }
        for y in years:
            above = [f for f in self.firms if f.above_scale]
            rev = sum(f.revenue[y] for f in above)
            rd = sum(f.revenue[y] * rd_ratio[f.index][y] for f in above)
            k = at(PATHS["rd_intensity"], y) / 100 * rev / rd if rd else 1.0
            for f in above:
                rd_ratio[f.index][y] *= k
        for f in self.firms:
            margin = rng.uniform(0.06, 0.10) if f.giant else rng.uniform(-0.02, 0.09)
            export = f.giant.export_share if f.giant else rng.uniform(0.2, 0.6)
            productivity = rng.uniform(0.7e6, 1.5e6)
            staff_factor = rng.uniform(2.5, 4.0)
            patent_cost = rng.uniform(3e6, 8e6)
            for y in years:
                v, rev = f.values[y], f.revenue[y]
                ratio = rd_ratio[f.index][y]
                rd = _thousands(rev * ratio)
                m = min(max(margin + rng.gauss(0, 0.02), -0.05), 0.12)
                e = min(max(export + rng.uniform(-0.03, 0.03), 0.2), 0.6)
                employees = max(8, round(rev / (productivity * 1.04 ** (y - first))))
                patents = rd / patent_cost
                v["rd_spend"] = rd
                v["profit"] = _thousands(rev * m)
                v["export_value"] = _thousands(rev * e)
                v["employees"] = employees
                v["rd_staff"] = max(0, round(employees * ratio * staff_factor))
                v["invention_patents"] = int(patents) + (1 if rng.random() < patents % 1 else 0)

    # 6. digital R&D tools (T4) and digital transformation (T5), adoption never reversed
    def _digital(self) -> None:
        rng, years = self.rng, self.years
        above = [f for f in self.firms if f.above_scale]
        for element in ("digital_rd_tools", "digital_transformation"):
            score = {
                f.index: math.log(max(f.revenue[years[0]], 1.0)) + rng.gauss(0, 1.5) for f in above
            }
            order = sorted(above, key=lambda f: (-score[f.index], f.index))
            small = {f.index: rng.random() for f in self.firms if not f.above_scale}
            adopted = 0
            for y in years:
                share = min(max(at(PATHS[element], y) / 100, 0.0), 1.0)
                adopted = max(adopted, round(share * len(above)))
                users = {f.index for f in order[:adopted]}
                small_share = min(max(share - 0.45, 0.0), 1.0)
                for f in self.firms:
                    uses = f.index in users if f.above_scale else small[f.index] < small_share
                    f.values[y][element] = 1 if uses else 0

    # 7. global ranking: fixed for the giants, by revenue (200+, 500+ below scale) for the rest
    def _ranks(self) -> None:
        for y in self.years:
            for f in self.firms:
                if f.giant:
                    f.values[y]["global_rank"] = round(at(f.giant.rank, y))
            rest = sorted(
                (f for f in self.firms if not f.giant),
                key=lambda f: (not f.above_scale, -f.revenue[y], f.index),
            )
            rank = 200
            for f in rest:
                if not f.above_scale:
                    rank = max(rank, 500)
                f.values[y]["global_rank"] = rank
                rank += 1

    # 8. honours
    def _honours(self) -> None:
        rng, years = self.rng, self.years
        first, last = years[0], years[-1]
        by_revenue = sorted(
            (f for f in self.firms if f.above_scale), key=lambda f: (-f.revenue[first], f.index)
        )
        biggest = {f.index for f in by_revenue[: max(8, round(0.05 * self.n))]}
        held: set[tuple[int, str, str]] = set()
        for plan in HONOUR_PLANS:
            if plan.pool == "largest":
                pool = by_revenue
            else:
                candidates = [f for f in self.firms if f.above_scale]
                if plan.pool == "radial":
                    candidates = [f for f in candidates if any("radial" in x for x in f.lines)]
                elif plan.pool == "sme":
                    candidates = [f for f in candidates if not f.giant and f.index not in biggest]
                # weighted sampling without replacement (Efraimidis-Spirakis); giants first
                keyed = [
                    (
                        f.giant is None,
                        -(rng.random() ** (1 / max(f.revenue[first], 1.0) ** plan.power)),
                        f.index,
                        f,
                    )
                    for f in candidates
                ]
                pool = [k[-1] for k in sorted(keyed, key=lambda k: k[:3])]
            levels = self.ref.honour_levels[plan.code]
            national = self._count(plan.national) if plan.national else 0
            j = 0
            for y, new in self._awards(plan.holders):
                for _i in range(new):
                    if j >= len(pool):
                        break
                    f = pool[j]
                    year = rng.randint(min(plan.since, y), y) if y == first else y
                    if levels == ["national"] or (j < national and "national" in levels):
                        level = "national"
                    else:
                        level = "provincial"
                    f.honours.append(HonourInput(plan.code, level, year))
                    held.add((f.index, plan.code, level))
                    if plan.follow_up:
                        code, flevel, chance = plan.follow_up
                        later = year + rng.randint(1, 3)
                        if (
                            rng.random() < chance
                            and later <= last
                            and (f.index, code, flevel) not in held
                        ):
                            f.honours.append(HonourInput(code, flevel, later))
                            held.add((f.index, code, flevel))
                    j += 1

    def _count(self, c: float) -> int:
        return max(1, round(c * self.scale)) if c > 0 else 0

    def _awards(self, holders: dict[int, float]) -> list[tuple[int, int]]:
        """(year, new holders) per year: the initial holders, then each year's increase."""
        out = []
        previous = None
        for y in self.years:
            c = max(at(holders, y), 0.0)
            if previous is None:
                out.append((y, self._count(c)))
            else:
                out.append((y, self._count(max(c - previous, 0.0))))
            previous = c if previous is None else max(previous, c)
        return out

    # 9. names, counties, credit codes
    def _identities(self) -> None:
        rng = self.rng
        used_names: set[str] = set()
        giant_names = {g.trade for g in GIANTS}
        tail_names = [t for t in TRADE_NAMES if t not in giant_names]
        charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        for f in self.firms:
            counties = COUNTIES[f.city]
            if f.giant:
                f.county = next(c for c in counties if c[0] == f.giant.county)
                trade = f.giant.trade
                suffix = ("轮胎", "Tyre")
            else:
                f.county = rng.choices(counties, weights=[c[4] for c in counties])[0]
                trade = rng.choice(tail_names)
                radial = any("radial" in x for x in f.lines)
                suffix = rng.choice(RADIAL_SUFFIXES if radial else SPECIALTY_SUFFIXES)
            city_zh, full, city_en = self.ref.cities[f.city]
            stem_zh = f"{city_zh}{trade[0]}{suffix[0]}"
            stem_en = f"{city_en} {trade[1]} {suffix[1]}"
            _code, _name, short_zh, short_en, _w = f.county
            mark_zh, mark_en = _name_mark(short_zh, short_en, 0)
            tries = 0
            while f"{stem_zh}{mark_zh}" in used_names:
                tries += 1
                mark_zh, mark_en = _name_mark(short_zh, short_en, tries)
            used_names.add(f"{stem_zh}{mark_zh}")
            f.name_zh = f"{stem_zh}{mark_zh}有限公司{DEMO_SUFFIX_ZH}"
            f.name_en = f"{stem_en}{mark_en} Co., Ltd.{DEMO_SUFFIX_EN}"
            f.city_name = full
            while True:
                body = "".join(rng.choice(charset) for _i in range(8))
                code = make_credit_code(f.county[0], body)
                if code not in self.taken_codes:
                    break
            self.taken_codes.add(code)
            f.code = code


# --- public API -----------------------------------------------------------------------------------


def check_ready() -> None:
    """Raise :class:`DemoDataError` unless reference data and a plan are loaded."""
    problems = []
    cities = dict(Organisation.objects.cities().values_list("code", "short_zh"))
    missing_cities = sorted(set(CITY_WEIGHTS) - set(cities))
    if missing_cities:
        problems.append("cities " + ", ".join(missing_cities))
    elements = set(DataElement.objects.values_list("code", flat=True))
    missing = [e for e in ELEMENTS if e not in elements]
    if missing:
        problems.append("data elements " + ", ".join(missing))
    honours = set(HonourType.objects.values_list("code", flat=True))
    wanted = {p.code for p in HONOUR_PLANS} | {p.follow_up[0] for p in HONOUR_PLANS if p.follow_up}
    if not wanted <= honours:
        problems.append("honour types " + ", ".join(sorted(wanted - honours)))
    lines = set(ProductLine.objects.values_list("code", flat=True))
    if not set(LINES) <= lines:
        problems.append("product lines " + ", ".join(sorted(set(LINES) - lines)))
    categories = set(ProductCategory.objects.values_list("code", flat=True))
    if not categories >= PRODUCT_CATEGORIES:
        missing_categories = sorted(PRODUCT_CATEGORIES - categories)
        problems.append("product categories " + ", ".join(missing_categories))
    if problems:
        raise DemoDataError(
            "Reference data is not loaded (missing " + "; ".join(problems) + "). Load the "
            "reference data (tirebrain.core.reference.load_reference) and the plan first, or run "
            "the demo-data command, which loads both."
        )
    if not PlanVersion.objects.exists():
        raise DemoDataError(
            "No plan is loaded. Load the plan file (tirebrain.plan.services.load_plan) first, or "
            "run the demo-data command, which loads it."
        )


def delete_demo(actor) -> int:
    """Delete every demo enterprise with its honours, values and products; returns how many."""
    from django.db.models import ProtectedError

    from tirebrain.demo.products import delete_demo_products

    demo = Enterprise.objects.filter(is_demo=True)
    count = demo.count()
    if not count:
        return 0
    with transaction.atomic():
        DataValue.objects.filter(org__in=demo.values("pk")).delete()
        Honour.objects.filter(enterprise__in=demo.values("pk")).delete()
        products = delete_demo_products()
        try:
            demo.delete()
        except ProtectedError as exc:
            names = sorted({str(o) for o in exc.protected_objects})[:5]
            raise DemoDataError(
                "Demo enterprises cannot be deleted while other records refer to them: "
                + "; ".join(names)
            ) from None
        refresh_rollups()
        audit.record(
            actor,
            AuditAction.DELETE,
            "enterprise",
            "demo",
            after={"enterprises": count, "products": products},
            summary=f"{count} demo enterprises deleted with their honours, values and products",
        )
    return count


def generate(
    actor,
    *,
    enterprises: int = REFERENCE_SIZE,
    seed: int = 2024,
    years: range = DEFAULT_YEARS,
    progress: Progress | None = None,
    reset: bool = False,
) -> GenerateSummary:
    """Create the demo data set: fictional enterprises with honours, values and products.

    Refuses if demo enterprises exist, unless ``reset`` (then they are deleted first). All or
    nothing: one transaction. Products (:mod:`tirebrain.demo.products`) are planned with the
    enterprises, because their output sets the enterprises' high-end output, and saved last.
    """
    from tirebrain.demo.products import plan_products, save_products

    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    check_ready()
    with transaction.atomic():
        existing = Enterprise.objects.filter(is_demo=True).count()
        if existing and not reset:
            raise DemoDataError(
                f"{existing} demo enterprises already exist; use reset (--reset) to replace them."
            )
        if existing:
            report("reset", 0, existing)
            delete_demo(actor)
            report("reset", existing, existing)
        report("plan", 0, 1)
        firms = plan_firms(enterprises, seed, years)
        thresholds = current_thresholds()
        taken = set(Product.objects.exclude(gtin=None).values_list("gtin", flat=True))
        products = plan_products(firms, years, seed, thresholds, taken)
        report("plan", 1, 1)
        honours = _save_enterprises(actor, firms, report)
        values = _save_values(actor, firms, years, seed, report)
        saved = save_products(actor, products, thresholds, report)
    seconds = time.perf_counter() - started
    return GenerateSummary(len(firms), honours, values, seconds, seed, saved)


def plan_firms(enterprises: int, seed: int, years: range = DEFAULT_YEARS) -> list[Firm]:
    """The whole data set in memory (no writes): enterprises, honours and yearly values."""
    return _Builder(enterprises, seed, years, Reference.load()).build()


def _save_enterprises(actor, firms: list[Firm], report: Progress) -> int:
    total = len(firms)
    step = max(1, total // 200)
    honours = 0
    report("enterprises", 0, total)
    for i, f in enumerate(firms, start=1):
        county = f.county
        save_enterprise(
            actor,
            EnterpriseInput(
                code=f.code,
                name_zh=f.name_zh,
                name_en=f.name_en,
                city=f.city,
                above_scale=f.above_scale,
                product_lines=list(f.lines),
                capacity_tyres=f.capacity,
                founded_year=f.founded,
                address=f"山东省{f.city_name}{county[1]}",
                honours=list(f.honours),
            ),
            is_demo=True,
        )
        honours += len(f.honours)
        if i % step == 0 or i == total:
            report("enterprises", i, total)
    return honours


def _save_values(actor, firms: list[Firm], years: range, seed: int, report: Progress) -> int:
    per_batch = max(1, VALUE_BATCH // max(1, len(firms)))
    chunks = [ELEMENTS[i : i + per_batch] for i in range(0, len(ELEMENTS), per_batch)]
    total = len(firms) * len(years) * len(ELEMENTS)
    done = 0
    report("values", 0, total)
    for y in years:
        period = str(y)
        for chunk in chunks:
            rows = [
                ValueInput(element, period, f.code, f.values[y][element])
                for element in chunk
                for f in firms
            ]
            done += load_new_values(
                actor, rows, source=f"demo data (seed {seed}) {period}: {', '.join(chunk)}"[:300]
            )
            report("values", done, total)
    return done
