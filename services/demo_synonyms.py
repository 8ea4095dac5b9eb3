"""Search synonyms of the demo catalogue, per locale: a word buyers type -> the catalogue's words
it also stands for. One way only: `funghi` finds the shiitake, `shiitake` does not find every
mushroom. Keys and expansions are folded like every search text (`óleo` is `oleo`, and a
Traditional key is its Simplified form); a key matches by stem in its own language (`fungo` and
`funghi` are one key). Each expansion is searched as a word of any language, and what it finds
ranks below what the query's own words find."""

from __future__ import annotations

from collections.abc import Mapping

SYNONYMS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "zh_Hans": {
        "蘑菇": ("香菇", "花菇", "黑木耳"),
        "菌菇": ("香菇", "花菇", "黑木耳"),
        "石": ("青田石", "石雕"),
        "冬菇": ("香菇", "花菇"),
        "香菇": ("花菇",),  # 花菇 is the finest grade of 香菇
        "大米": ("白米", "共生米"),
        "鱼干": ("田鱼干",),
        "腊肠": ("萨拉米", "香肠"),
        "图章": ("印章",),
        "火腿肠": ("萨拉米", "香肠"),
        "茶叶": ("绿茶", "香茶", "茶"),  # the example word of the Chinese welcome
    },
    "zh_Hant": {
        "白米": ("大米", "共生米"),
        "冬菇": ("香菇", "花菇"),
        "苦茶油": ("山茶油",),  # segmented as a query is, 苦 茶油: a phrase
        "茶葉": ("綠茶", "香茶", "茶"),
    },
    "en": {
        "mushroom": ("shiitake", "fungus"),
        "sausage": ("salami",),
        "stamp": ("seal",),
        "chop": ("seal",),
        "fish": ("carp",),
        "vermicelli": ("noodles",),
    },
    "it": {
        "funghi": ("shiitake",),
        "salsiccia": ("salame",),
        "salume": ("salame", "prosciutto"),
        "pesce": ("carpa",),
        "timbro": ("sigillo",),
        "tagliolini": ("vermicelli",),
    },
    "es": {
        "setas": ("shiitake", "hongo"),
        "hongos": ("shiitake",),
        "champiñones": ("shiitake", "hongo"),
        "embutido": ("salami", "jamón"),
        "pescado": ("carpa",),
        "tallarines": ("fideos",),
    },
    "pt": {
        "cogumelos": ("shiitake",),
        "azeite": ("óleo",),
        "enchido": ("salame", "presunto"),
        "peixe": ("carpa",),
        "carimbo": ("selo",),
    },
    "fr": {
        "champignons": ("shiitake",),
        "saucisson": ("salami",),
        "poisson": ("carpe",),
        "tampon": ("sceau",),
        "nouilles": ("vermicelles",),
    },
    "de": {
        "pilze": ("shiitake",),
        "öl": ("kamelienöl",),
        "wurst": ("salami",),
        "fisch": ("karpfen",),
        "stempel": ("siegel",),
        "nudeln": ("reisnudeln",),
    },
    "nl": {
        "paddenstoelen": ("shiitake", "houtzwam"),
        "champignons": ("shiitake", "houtzwam"),
        "worst": ("salami",),
        "vis": ("karper",),
        "stempel": ("zegel",),
        "noedels": ("rijstnoedels",),
    },
}
