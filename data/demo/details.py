"""What each demo project carries beyond its timeline: flagships, names, leaders, land and tax, procedures, codes."""
from __future__ import annotations

import numpy as np

from data.demo.city import (BRANDS, CHAIN_NAMES, CHAINS, COUNTIES, GIVEN, NAME_TEMPLATES, NEVER, NO_MONTH, PLACES,
                            RIVERS, SURNAMES, by_county, month_start_days, pick)


def add_flagships(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """The city's flagship projects and projects exactly on the size-tier bounds."""
    county_idx = {c.name: i for i, c in enumerate(COUNTIES)}
    cont = np.flatnonzero((p["kind"] == "pre") & (p["complete_t"] == NO_MONTH))
    new = np.flatnonzero((p["kind"] == "new") & (p["t_in"] == 0) & (p["start_t"] >= 2) & (p["start_t"] <= 4)
                        & (p["complete_t"] == NO_MONTH))

    def set_(i, **kv):
        for k, v in kv.items():
            p[k][i] = v

    # 100亿以上: a 国有 ring expressway (exactly on the bound) and a private vehicle base.
    set_(cont[0], county=county_idx["经开区"], category="基础设施", chain=None, industry_class=None, level="省级",
         investor_type="国有企业", total_investment=1_000_000.0, is_signed_attraction=False)
    set_(new[0], county=county_idx["经开区"], category="产业", chain="新能源汽车", industry_class="新兴产业", level="省级",
         investor_type="民间投资", total_investment=1_280_000.0, is_signed_attraction=True, complete_t=NO_MONTH,
         duration=60)
    set_(new[1], county=county_idx["高新区"], category="产业", chain="集成电路", industry_class="新兴产业", level="省级",
         investor_type="外商投资", total_investment=580_000.0, is_signed_attraction=True, complete_t=NO_MONTH, duration=48)
    for i in (new[0], new[1]):
        p["pc_day"][i] = int(month_start_days(p["start_t"][i] + p["duration"][i])) + 29
    p["flagship"] = np.full(len(p["county"]), "", dtype=object)
    p["flagship"][cont[0]] = "经开区示范市绕城高速公路东段工程"
    p["flagship"][new[0]] = "经开区星河新能源汽车整车及核心零部件产业基地项目"
    p["flagship"][new[1]] = "高新区海创12英寸功率半导体晶圆制造项目"
    set_(cont[1], county=county_idx["青山县"], category="产业", chain="新型储能", industry_class="新兴产业", level="市级",
         investor_type="国有企业", total_investment=100_000.0)
    set_(cont[2], total_investment=100_000.0, level="市级")
    for i in (cont[3], new[2]):
        set_(i, total_investment=50_000.0)
    for i in (cont[4], cont[5], new[3]):
        set_(i, total_investment=10_000.0)


def add_names(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """Project names from the chain's products or the category's templates; repeats become 二期, 三期, …."""
    names = []
    for i in range(len(p["county"])):
        county = COUNTIES[p["county"][i]].name
        cat, chain = p["category"][i], p["chain"][i]
        if cat == "产业":
            phrases = CHAINS[chain][1] if chain else ("标准化厂房", "智能制造产业园", "技术改造", "产业孵化基地")
            name = f"{county}{BRANDS[rng.integers(len(BRANDS))]}{phrases[rng.integers(len(phrases))]}项目"
        else:
            tpl = NAME_TEMPLATES[cat][rng.integers(len(NAME_TEMPLATES[cat]))]
            a, b = rng.choice(len(PLACES), 2, replace=False)
            body = tpl.format(c=county, p=PLACES[a], q=PLACES[b], r=RIVERS[rng.integers(len(RIVERS))])
            name = body if body.startswith(county) else county + body
        names.append(name)
    names = [f or nm for f, nm in zip(p["flagship"], names)]
    seen: dict[str, int] = {}
    phases = ("二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期")
    for i, name in enumerate(names):
        k = seen.get(name, 0)
        seen[name] = k + 1
        if k:
            names[i] = f"{name}（{phases[k - 1]}）" if k <= len(phases) else f"{name}（{k + 1}）"
    p["project_name"] = np.array(names, dtype=object)


def add_leaders(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """A leader for most projects (a city leader for 省级/市级 ones); weak counties leave more without: story (h)."""
    n = len(p["county"])
    city_leaders = [SURNAMES[i] + GIVEN[(i * 7) % len(GIVEN)] for i in range(10)]
    leaders = []
    weak = by_county("weak", p["county"])
    u = rng.random(n)
    draw = rng.integers(0, 10**6, n)
    for i in range(n):
        high = p["level"][i] in ("省级", "市级")
        has = u[i] < ((0.97 - 0.17 * weak[i]) if high else (0.78 - 0.2 * weak[i]))
        if not has:
            leaders.append(None)
        elif high:
            leaders.append(city_leaders[draw[i] % len(city_leaders)])
        else:
            c = p["county"][i]
            leaders.append(SURNAMES[(c * 3 + draw[i]) % len(SURNAMES)] + GIVEN[(c * 5 + draw[i] // 7) % len(GIVEN)])
    p["leader"] = np.array(leaders, dtype=object)


def add_land_and_tax(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """Land area, the tax figures reported once producing, and the months from completion to production."""
    n = len(p["county"])
    total = p["total_investment"]
    intensity = np.where(p["category"] == "产业", rng.uniform(150, 420, n), rng.uniform(60, 600, n))
    land = np.round(total / intensity, 1)
    no_land = ((p["category"] == "基础设施") & (rng.random(n) < 0.35)) | ((p["kind"] == "reserve") & (rng.random(n) < 0.5))
    p["land_area_mu"] = np.where(no_land, np.nan, np.maximum(land, 1.0))
    tax = np.round(total * rng.uniform(0.015, 0.07, n), 2)
    p["annual_tax"] = tax
    p["annual_profit_tax"] = np.round(tax * rng.uniform(1.35, 2.2, n), 2)
    p["prod_lag"] = np.where(p["complete_t"] <= 1, 0, pick(rng, [0, 1, 1, 2, 3], None, n).astype(np.int64))


def add_project_ids(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """项目代码 in the national 投资项目在线审批监管平台 style: year-area-industry-type-serial."""
    n = len(p["county"])
    serial = rng.choice(900_000, size=n, replace=False) + 100_000
    entry = np.where(p["t_in"] >= 12, 2025, 2024)
    approved = 1970 + (p["proc_approval"].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64))
    year = np.where(p["proc_approval"] < NEVER, np.minimum(approved, entry), entry)
    ind = np.array([f"{30 + CHAIN_NAMES.index(c):02d}" if c and cat == "产业" else
                    {"产业": "29", "基础设施": "48", "社会民生": "84", "生态环保": "77", "其他": "72"}[cat]
                    for c, cat in zip(p["chain"], p["category"])], dtype=object)
    typ = np.where(p["investor_type"] == "政府投资", "01", np.where(p["total_investment"] >= 50_000, "02", "03"))
    p["project_id"] = np.array([f"{y}-{COUNTIES[c].code}-{d}-{t}-{s:06d}" for y, c, d, t, s in
                                zip(year, p["county"], ind, typ, serial)], dtype=object)


def add_procedures(rng: np.random.Generator, p: dict[str, np.ndarray]) -> None:
    """Six procedure dates counted back from the start (actual or hoped-for); missing for a few."""
    n = len(p["county"])
    hoped = np.where(p["start_day"] < NEVER, p["start_day"],
                     np.where(p["ps25"] < NEVER, p["ps25"], np.where(p["ps24"] < NEVER, p["ps24"],
                                                                        month_start_days(36))))
    never_started = p["start_day"] >= NEVER
    hoped = np.where(never_started & (p["kind"] == "new"), hoped + rng.integers(60, 300, n), hoped)
    permit = hoped - rng.integers(3, 40, n)
    planning = permit - rng.integers(10, 70, n)
    land = planning - rng.integers(10, 100, n)
    approval = land - rng.integers(20, 160, n)
    eia = approval + (rng.random(n) * (permit - approval)).astype(np.int64)
    energy = approval + (rng.random(n) * (permit - approval)).astype(np.int64)
    procs = {"proc_approval": approval, "proc_land": land, "proc_planning": planning, "proc_eia": eia,
             "proc_energy": energy, "proc_construction_permit": permit}
    weak = by_county("weak", p["county"])
    # Started without one procedure (补办中): story (h); never-starters stuck on land or the permit.
    gap = rng.random(n) < (0.03 + 0.12 * weak)
    which = rng.integers(0, 6, n)
    for j, k in enumerate(procs):
        procs[k] = np.where(gap & (which == j), NEVER, procs[k])
    stuck = never_started & (p["kind"] == "new") & (rng.random(n) < 0.6)
    procs["proc_land"] = np.where(stuck & (rng.random(n) < 0.5), NEVER, procs["proc_land"])
    procs["proc_construction_permit"] = np.where(stuck, NEVER, procs["proc_construction_permit"])
    p.update(procs)
