"""Editorial and factual checks over the demo catalogue (services/demo_data.py).

The interface says du (German) and je (Dutch), the Portuguese texts are European Portuguese,
繁體中文 is Traditional Chinese as written in Taiwan, and a liquid's quantity is its volume in ml.
"""

import copy
import re

import pytest

from services import demo_data


def texts(locale: str) -> list[tuple[str, str]]:
    """(where, text) for every category name, product name and description in the locale."""
    found = [(f"category {c['slug']}", c["names"][locale]) for c in demo_data.CATEGORIES]
    for p in demo_data.PRODUCTS:
        found.append((f"{p['slug']} name", p["names"][locale]))
        found.append((f"{p['slug']} description", p["descriptions"][locale]))
    return found


def test_self_check_passes(capsys):
    demo_data._check()
    assert capsys.readouterr().out.startswith("OK:")


# --- German: du, never Sie ---------------------------------------------------------------------

# Capitalised Ihr- forms are the formal "your" (a sentence starting with "Ihr" meaning "her/its"
# can be reworded); "Ihnen" is always formal.
GERMAN_FORMAL = re.compile(r"\b(?:Ihnen|Ihr|Ihre|Ihrem|Ihren|Ihrer|Ihres)\b")
# "Sie" at the start of a sentence may be "she/they": allowed only where a reader has checked
# it, listed here as (where, the sentence's first words). Mid-sentence "Sie" is always formal.
SENTENCE_START_SIE_REVIEWED: set[tuple[str, str]] = set()


def german_formal_address(where: str, text: str) -> list[str]:
    problems = [m.group(0) for m in GERMAN_FORMAL.finditer(text)]
    for m in re.finditer(r"\bSie\b", text):
        before = text[: m.start()].rstrip(" \"'„“”‚‘’«»(–—")
        at_sentence_start = not before or before[-1] in ".!?:;"
        if not at_sentence_start:
            problems.append(f"… {text[max(0, m.start() - 20) : m.end() + 10]} …")
        elif (where, text[m.start() : m.start() + 30]) not in SENTENCE_START_SIE_REVIEWED:
            problems.append(f"sentence starting '{text[m.start() : m.start() + 30]}' (review)")
    return problems


def test_german_says_du():
    found = {where: p for where, text in texts("de") if (p := german_formal_address(where, text))}
    assert found == {}


@pytest.mark.parametrize(
    "text,flagged",
    [
        ("Ein Siegel mit Ihrem Namen.", True),
        ("Geben Sie den Namen an.", True),
        ("Mit einem Namen Ihrer Wahl.", True),
        ("Sie erhalten ein Siegel.", True),  # sentence start: needs a reviewer's entry
        ("Die Beeren werden gepflückt, wenn sie reif sind.", False),
        ("Ein Siegel mit deinem Namen; gib ihn bei der Bestellung an.", False),
        ("Wo ihr Anbau begann.", False),
    ],
)
def test_german_check_itself(text, flagged):
    assert bool(german_formal_address("example", text)) is flagged


# --- Dutch: je/jouw, never u/uw -----------------------------------------------------------------

DUTCH_FORMAL = re.compile(r"\b(?:u|uw|uwe|uzelf)\b", re.IGNORECASE)


def test_dutch_says_je():
    found = {where: DUTCH_FORMAL.findall(text) for where, text in texts("nl")}
    assert {where: words for where, words in found.items() if words} == {}


def test_dutch_check_itself():
    assert DUTCH_FORMAL.findall("Vermeld uw naam. U krijgt")
    assert not DUTCH_FORMAL.findall("Vermeld jouw naam bij je bestelling; rijst uit Qingtian.")


# --- Portuguese: European Portuguese only --------------------------------------------------------

# Brazilian words, spellings and place names, each with its European form.
BRAZILIAN_ONLY = {
    "ônibus": "autocarro",
    "trem": "comboio",
    "trens": "comboios",
    "celular": "telemóvel",
    "geladeira": "frigorífico",
    "xícara": "chávena",
    "xícaras": "chávenas",
    "açougue": "talho",
    "moça": "rapariga",
    "time": "equipa",
    "equipe": "equipa",
    "registro": "registo",
    "registrar": "registar",
    "fato": "facto (in Portugal 'fato' is a suit)",
    "contato": "contacto",
    "contatos": "contactos",
    "banheiro": "casa de banho",
    "café da manhã": "pequeno-almoço",
    "sorvete": "gelado",
    "suco": "sumo",
    "cardápio": "ementa",
    "usuário": "utilizador",
    "esporte": "desporto",
    "caminhão": "camião",
    "pedágio": "portagem",
    "aeromoça": "hospedeira",
    "planejar": "planear",
    "bonde": "elétrico",
    "broto": "rebento",
    "brotos": "rebentos",
    "econômico": "económico",
    "econômica": "económica",
    "gênero": "género",
    "fenômeno": "fenómeno",
    "quilômetro": "quilómetro",
    "bebê": "bebé",
    "tênis": "ténis",
    "no vapor": "ao vapor",
    "caixa de presente": "caixa de oferta",
    "estojo de presente": "estojo de oferta",
    "ponto de retirada": "ponto de recolha",
    "Amsterdã": "Amesterdão",
    "Moscou": "Moscovo",
    "Teerã": "Teerão",
    "Vietnã": "Vietname",
    "Irã": "Irão",
    "Nova York": "Nova Iorque",
    "Cingapura": "Singapura",
}
BRAZILIAN_RE = re.compile(
    r"\b(?:"
    + "|".join(re.escape(w) for w in sorted(BRAZILIAN_ONLY, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
# "está fazendo": Portugal says "está a fazer".
GERUND_PROGRESSIVE = re.compile(
    r"\b(?:estar|estou|estás|está|estamos|estão|estava|estavam|esteve|estiveram|esteja|estejam)"
    r"\s+\w+ndo\b",
    re.IGNORECASE,
)


def brazilianisms(text: str) -> list[str]:
    return BRAZILIAN_RE.findall(text) + GERUND_PROGRESSIVE.findall(text)


def test_portuguese_is_european():
    found = {where: words for where, text in texts("pt") if (words := brazilianisms(text))}
    assert found == {}


def test_portuguese_check_itself():
    assert brazilianisms("Pegue o trem em Amsterdã; ótimas no vapor.") == [
        "trem",
        "Amsterdã",
        "no vapor",
    ]
    assert brazilianisms("Estamos preparando a caixa de presente.")
    assert not brazilianisms("Estamos a preparar a caixa de oferta; ótimas ao vapor, de facto.")


# --- 繁體中文: Traditional characters, Taiwan usage ------------------------------------------------

# Simplified-only characters: each differs from its Traditional form and is not itself a
# character Taiwan writes (so 干, 里, 面, 后, 台, 只, 系, 制, 采, 游, 着… are not listed).
SIMPLIFIED_ONLY = frozenset(
    "这们个来对时会说国过发为东车门问间见长马鸟鱼龙贝页风飞齐麦黄产业乐书买卖丽举义乡亚价众优传"
    "伤体侨侧俭债倾儿党关兴养内农净减凉则刚创删别剧劝办务动劳势区医华协单卫厂厅历厉压县参双变"
    "号叹吗吴员响团园围图圆场坏块坚坛备复够头夹夺奋妇妈学宁宝实宾寻导将尔尘尝层岁岛币师带帮广"
    "庆应库废开弃张弹归录彻总恋恶悦惊惯战户执扩扫扬护报担拟拥择挂挤挥损换摄摆携数断无旧显晒晓"
    "暂机杀杂权条杨极构枪柜标栏树样档桥检楼欢欧残毕气汉汤沟没泪泼洁浅测济浓涛润涨湾满滚灭灯灵"
    "灾炉点炼烂热焕爱爷牵犹状独狮猎猪献环现电画畅疗尽盐监盖盘码础礼离种积称稳穷竞笔笋签简类粮"
    "紧纪约红纤级纯纸线练组细织终经结绕绘给络绝统继绩续绿缓编网罗罚职联聪肃肠肤胶脑脚脱艺节芦"
    "苏荐药莲获营萝蓝虑虽虾补装观规视览觉触计订认讨让训议讯记讲许论设访证评识诉词译试诗诚话询"
    "该详语误请诸读课谁调谈谢谱负贡财责贤败货质贩购贯贵费贴贸资赏赔赖赛赞赠赶趋跃践轨转轮软轻"
    "载较辅辆辈输边达迁运还进远违连迟选递逻遗邮邻郑释针钓钟钢钱铁铃银铺链销锁锅错锦键闭闲闻阅"
    "队阳阴阶际陆陈险随隐难雾须顶项顺顾顿预领频题颜额饭饮饰饱饺馆馅驱验骑鲜鸡鸭听适汇酱酿饼馒"
    "鲁钻铝铜锈钙镇"
)
# Mainland words Taiwan says otherwise (written here in Traditional characters).
MAINLAND_WORDS = {
    "餐館": "餐廳",
    "酸奶": "優格",
    "視頻": "影片",
    "軟件": "軟體",
    "網絡": "網路",
    "信息": "資訊",
    "出租車": "計程車",
    "打印": "列印",
    "土豆": "馬鈴薯",
    "西紅柿": "番茄",
    "意大利": "義大利",
    "釐米": "公分",
}


def test_simplified_only_set_is_large_enough():
    assert len(SIMPLIFIED_ONLY) >= 100


def test_traditional_chinese_has_no_simplified_characters():
    found = {
        where: sorted(set(text) & SIMPLIFIED_ONLY)
        for where, text in texts("zh_Hant")
        if set(text) & SIMPLIFIED_ONLY
    }
    assert found == {}


def test_traditional_chinese_is_taiwan_usage():
    found = {
        where: [w for w in MAINLAND_WORDS if w in text]
        for where, text in texts("zh_Hant")
        if any(w in text for w in MAINLAND_WORDS)
    }
    assert found == {}
    # Taiwan writes grams 公克, as it writes 公斤, 公升 and 公分.
    bare_grams = [where for where, text in texts("zh_Hant") if re.search(r"\d\s*克", text)]
    assert bare_grams == []


def test_a_tea_tin_is_a_guan_not_a_ting():
    """听 (a mainland measure word for cans) is not used for tins of tea: 罐."""
    for locale in ("zh_Hans", "zh_Hant"):
        assert [where for where, text in texts(locale) if "听" in text or "聽裝" in text] == []


# --- Liquids: the quantity of a liquid is its volume in ml ---------------------------------------

VOLUME = re.compile(r"(\d+(?:[.,]\d+)?) ?(ml|L)\b")


def stated_ml(name: str) -> int | None:
    m = VOLUME.search(name)
    if not m:
        return None
    amount = float(m.group(1).replace(",", "."))
    return round(amount * (1000 if m.group(2) == "L" else 1))


def test_liquids_are_measured_in_ml():
    liquids = {}
    for p in demo_data.PRODUCTS:
        ml = stated_ml(p["names"]["en"])
        if p["unit"] == "bottle":
            assert ml is not None, f"{p['slug']}: a bottle without a volume in its name"
        if ml is not None:
            liquids[p["slug"]] = (ml, p["unit_weight_g"])
    assert liquids["soy-sauce-1-9l"] == (1900, 1900)
    assert {slug: q for slug, q in liquids.items() if q[0] != q[1]} == {}


@pytest.mark.parametrize(
    "slug,quantity",
    [
        ("soy-sauce-1-9l", 2200),  # the filled bottle's weight, not its 1.9 L
        ("camellia-oil-1l", 920),  # 1 L of oil weighs 920 g, but it counts 1000
        ("tea-oil-gift-box", 560),  # 100 g of tea + 500 ml of oil count 600
        ("bayberry-wine", 450),
    ],
)
def test_self_check_rejects_a_liquid_measured_otherwise(monkeypatch, slug, quantity):
    products = copy.deepcopy(demo_data.PRODUCTS)
    next(p for p in products if p["slug"] == slug)["unit_weight_g"] = quantity
    monkeypatch.setattr(demo_data, "PRODUCTS", products)
    with pytest.raises(AssertionError, match=slug):
        demo_data._check()


def test_self_check_rejects_names_that_disagree(monkeypatch):
    products = copy.deepcopy(demo_data.PRODUCTS)
    soy = next(p for p in products if p["slug"] == "soy-sauce-1-9l")
    soy["names"]["de"] = "Natürlich gebraute Sojasauce, 2 kg"
    monkeypatch.setattr(demo_data, "PRODUCTS", products)
    with pytest.raises(AssertionError, match="soy-sauce-1-9l"):
        demo_data._check()
