"""Demo catalogue of Qingtian Bridge: categories, products and exchange rates.

Plain Python data (standard library only), used to seed a fresh database and by tests.

* Prices are integers in fen (1 yuan = 100 fen), per unit; never floats.
* ``unit_weight_g`` is the net quantity of one unit: its weight in grams, but for a liquid its
  volume in ml (1 L = 1000, whatever the liquid's density; never the weight of the filled bottle).
  A unit with several contents adds them up the same way (100 g of tea + 500 ml of oil = 600).
  A size stated in a name ("5 kg", "1,9 L", "500公克", "1.9升") is exactly this quantity, in every
  locale; a bottle, and goods whose HS code is a liquid's, state their volume. ``_check`` enforces it.
* ``hs_code`` is the 6-digit Harmonized System subheading of the goods.
* ``restricted_countries`` lists ISO 3166-1 alpha-2 codes the product may not be shipped to
  (import restrictions on meat and fish). These are a conservative demo approximation,
  not legal advice.
* ``EXCHANGE_RATES`` gives units of each currency per 1 CNY as decimal strings; parse them with
  ``decimal.Decimal`` (never ``float``).

Every ``names``/``descriptions`` dict has all nine ``LOCALES``. Strings are plain text (no HTML);
exactly one product name (``tea-oil-gift-box`` in English) contains an ampersand on purpose, so
that HTML escaping is exercised. Run this file to self-check the data:
``python services/demo_data.py``.
"""

LOCALES = ("zh_Hans", "zh_Hant", "en", "it", "es", "pt", "fr", "de", "nl")

# The 27 member states of the European Union (ISO 3166-1 alpha-2; Greece is "GR").
# fmt: off
EU = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)
# fmt: on

_UNITS = ("kg", "piece", "bag", "sack", "box", "bottle", "jar", "tin", "pack", "set")

# Meat products from China are not admitted by the EU, the UK, Switzerland, Norway, Brazil or
# the US (no approved establishments / veterinary certificates for parcels).
_NO_MEAT = (*EU, "GB", "CH", "NO", "BR", "US")
# Dried fish: destinations whose biosecurity or veterinary rules block consumer parcels of
# uncanned fishery products (demo approximation).
_NO_FISH = ("AU", "BR", "NZ")

CATEGORIES: list[dict] = [
    {
        "slug": "rice-grains",
        "emoji": "🍚",
        "position": 1,
        "names": {
            "zh_Hans": "大米与粮食",
            "zh_Hant": "米與糧食",
            "en": "Rice and grains",
            "it": "Riso e cereali",
            "es": "Arroz y cereales",
            "pt": "Arroz e cereais",
            "fr": "Riz et céréales",
            "de": "Reis und Getreide",
            "nl": "Rijst en granen",
        },
    },
    {
        "slug": "tea",
        "emoji": "🍵",
        "position": 2,
        "names": {
            "zh_Hans": "茶叶",
            "zh_Hant": "茶葉",
            "en": "Tea",
            "it": "Tè",
            "es": "Té",
            "pt": "Chá",
            "fr": "Thé",
            "de": "Tee",
            "nl": "Thee",
        },
    },
    {
        "slug": "dried-goods",
        "emoji": "🍄",
        "position": 3,
        "names": {
            "zh_Hans": "干货与菌菇",
            "zh_Hant": "乾貨與菇類",
            "en": "Dried goods and mushrooms",
            "it": "Prodotti secchi e funghi",
            "es": "Productos secos y setas",
            "pt": "Produtos secos e cogumelos",
            "fr": "Produits secs et champignons",
            "de": "Trockenwaren und Pilze",
            "nl": "Gedroogde producten en paddenstoelen",
        },
    },
    {
        "slug": "oils-sauces",
        "emoji": "🫙",
        "position": 4,
        "names": {
            "zh_Hans": "食用油与酱料",
            "zh_Hant": "食用油與醬料",
            "en": "Oils and sauces",
            "it": "Oli e salse",
            "es": "Aceites y salsas",
            "pt": "Óleos e molhos",
            "fr": "Huiles et sauces",
            "de": "Öle und Saucen",
            "nl": "Oliën en sauzen",
        },
    },
    {
        "slug": "bayberry-sweets",
        "emoji": "🍒",
        "position": 5,
        "names": {
            "zh_Hans": "杨梅与甜食",
            "zh_Hant": "楊梅與甜食",
            "en": "Bayberry and sweets",
            "it": "Yangmei e dolci",
            "es": "Yangmei y dulces",
            "pt": "Yangmei e doces",
            "fr": "Yangmei et douceurs",
            "de": "Yangmei und Süßes",
            "nl": "Yangmei en zoetigheden",
        },
    },
    {
        "slug": "wine",
        "emoji": "🍶",
        "position": 6,
        "names": {
            "zh_Hans": "酒类",
            "zh_Hant": "酒類",
            "en": "Wine",
            "it": "Vini",
            "es": "Vinos",
            "pt": "Vinhos",
            "fr": "Vins",
            "de": "Wein",
            "nl": "Wijn",
        },
    },
    {
        "slug": "stone-carving-gifts",
        "emoji": "🎁",
        "position": 7,
        "names": {
            "zh_Hans": "青田石雕与礼品",
            "zh_Hant": "青田石雕與禮品",
            "en": "Stone carving and gifts",
            "it": "Sculture in pietra e regali",
            "es": "Tallas en piedra y regalos",
            "pt": "Escultura em pedra e presentes",
            "fr": "Sculpture sur pierre et cadeaux",
            "de": "Steinschnitzerei und Geschenke",
            "nl": "Steensnijwerk en cadeaus",
        },
    },
    {
        "slug": "european-food",
        "emoji": "🍖",
        "position": 8,
        "names": {
            "zh_Hans": "欧洲食品·青田制造",
            "zh_Hant": "歐洲食品·青田製造",
            "en": "European food, made in Qingtian",
            "it": "Cibo europeo fatto a Qingtian",
            "es": "Comida europea hecha en Qingtian",
            "pt": "Comida europeia feita em Qingtian",
            "fr": "Produits européens faits à Qingtian",
            "de": "Europäische Lebensmittel aus Qingtian",
            "nl": "Europees eten, gemaakt in Qingtian",
        },
    },
]

PRODUCTS: list[dict] = [
    {
        "slug": "rice-fish-rice-5kg",
        "category": "rice-grains",
        "position": 1,
        "names": {
            "zh_Hans": "青田稻鱼共生米 5公斤",
            "zh_Hant": "青田稻魚共生米 5公斤",
            "en": "Qingtian rice-fish co-culture rice, 5 kg",
            "it": "Riso della coltura riso-pesce di Qingtian, 5 kg",
            "es": "Arroz del sistema arroz-peces de Qingtian, 5 kg",
            "pt": "Arroz da rizipiscicultura de Qingtian, 5 kg",
            "fr": "Riz de la rizipisciculture de Qingtian, 5 kg",
            "de": "Reis aus der Reis-Fisch-Kultur von Qingtian, 5 kg",
            "nl": "Rijst uit de rijst-viscultuur van Qingtian, 5 kg",
        },
        "descriptions": {
            "zh_Hans": (
                "产自青田方山乡龙现村一带的梯田，田鱼在稻田中游弋、除草、肥田。"
                "青田稻鱼共生系统于2005年被联合国粮农组织列为首批全球重要农业文化遗产。5公斤装。"
            ),
            "zh_Hant": (
                "產自青田方山鄉龍現村一帶的梯田，田魚在稻田中悠游、除草、肥田。"
                "青田稻魚共生系統於2005年獲聯合國糧農組織列為首批全球重要農業文化遺產。5公斤裝。"
            ),
            "en": (
                "Grown in the terraced paddies around Longxian village, where field carp swim among "
                "the rice, eating weeds and fertilising the soil. Qingtian's rice-fish culture "
                "became one of the first FAO Globally Important Agricultural Heritage Systems in "
                "2005. 5 kg sack."
            ),
            "it": (
                "Coltivato nelle risaie terrazzate intorno al villaggio di Longxian, dove le carpe "
                "nuotano tra il riso, mangiano le erbacce e concimano il terreno. Nel 2005 la "
                "coltura riso-pesce di Qingtian è stata tra i primi sistemi riconosciuti dalla FAO "
                "come patrimonio agricolo di rilevanza mondiale (GIAHS). Sacco da 5 kg."
            ),
            "es": (
                "Cultivado en los arrozales en terrazas de la aldea de Longxian, donde las carpas "
                "nadan entre el arroz, comen las malas hierbas y abonan la tierra. En 2005 el "
                "sistema arroz-peces de Qingtian fue uno de los primeros Sistemas Importantes del "
                "Patrimonio Agrícola Mundial (SIPAM) de la FAO. Saco de 5 kg."
            ),
            "pt": (
                "Cultivado nos arrozais em socalcos da aldeia de Longxian, onde as carpas nadam "
                "entre o arroz, comem as ervas daninhas e adubam a terra. Em 2005, a "
                "rizipiscicultura de Qingtian foi um dos primeiros Sistemas Importantes do "
                "Património Agrícola Mundial (SIPAM) da FAO. Saca de 5 kg."
            ),
            "fr": (
                "Cultivé dans les rizières en terrasses du village de Longxian, où les carpes "
                "nagent entre les plants, mangent les mauvaises herbes et fertilisent le sol. En "
                "2005, la rizipisciculture de Qingtian a été l'un des premiers Systèmes ingénieux "
                "du patrimoine agricole mondial (SIPAM) de la FAO. Sac de 5 kg."
            ),
            "de": (
                "Angebaut auf den Terrassenfeldern um das Dorf Longxian, wo Karpfen zwischen den "
                "Reispflanzen schwimmen, Unkraut fressen und den Boden düngen. 2005 wurde die "
                "Reis-Fisch-Kultur von Qingtian als eines der ersten landwirtschaftlichen "
                "Welterbesysteme (GIAHS) der FAO anerkannt. 5-kg-Sack."
            ),
            "nl": (
                "Geteeld op de terrasvelden rond het dorp Longxian, waar karpers tussen de rijst "
                "zwemmen, onkruid eten en de grond bemesten. In 2005 werd de rijst-viscultuur van "
                "Qingtian een van de eerste GIAHS-erfgoedsystemen van de FAO. Baal van 5 kg."
            ),
        },
        "price_cny": 9800,
        "unit": "sack",
        "unit_weight_g": 5000,
        "hs_code": "100630",
        "restricted_countries": [],
    },
    {
        "slug": "restaurant-rice-10kg",
        "category": "rice-grains",
        "position": 2,
        "names": {
            "zh_Hans": "餐饮大米 10公斤装",
            "zh_Hant": "餐飲白米 10公斤裝",
            "en": "Restaurant rice, 10 kg sack",
            "it": "Riso per la ristorazione, sacco da 10 kg",
            "es": "Arroz para hostelería, saco de 10 kg",
            "pt": "Arroz para restaurantes, saca de 10 kg",
            "fr": "Riz pour la restauration, sac de 10 kg",
            "de": "Gastro-Reis, 10-kg-Sack",
            "nl": "Horecarijst, baal van 10 kg",
        },
        "descriptions": {
            "zh_Hans": (
                "出口中心为海外餐馆精选的精白米，煮饭松软，保温后不易回生，也适合做炒饭。10公斤装。"
            ),
            "zh_Hant": (
                "出口中心為海外餐廳精選的精白米，煮飯鬆軟，保溫後不易變硬，也適合做炒飯。10公斤裝。"
            ),
            "en": (
                "Polished white rice selected by the export centre for restaurant kitchens: cooks "
                "up fluffy, keeps well in the rice warmer and suits fried rice. 10 kg sack."
            ),
            "it": (
                "Riso bianco brillato, selezionato dal centro export per le cucine dei ristoranti: "
                "resta morbido e sgranato, si mantiene bene in caldo nel cuociriso ed è perfetto "
                "per il riso saltato. Sacco da 10 kg."
            ),
            "es": (
                "Arroz blanco pulido, seleccionado por el centro de exportación para cocinas de "
                "restaurante: queda suelto y esponjoso, aguanta bien en la arrocera y es ideal "
                "para arroz frito. Saco de 10 kg."
            ),
            "pt": (
                "Arroz branco polido, selecionado pelo centro de exportação para cozinhas de "
                "restaurante: fica solto e macio, mantém-se bem quente na panela de arroz e é ideal "
                "para arroz frito. Saca de 10 kg."
            ),
            "fr": (
                "Riz blanc poli, sélectionné par le centre d'export pour les cuisines de "
                "restaurant : il reste moelleux, se garde bien au chaud dans le cuiseur et "
                "convient au riz sauté. Sac de 10 kg."
            ),
            "de": (
                "Polierter weißer Reis, vom Exportzentrum für Restaurantküchen ausgewählt: kocht "
                "locker, lässt sich im Reiskocher gut warmhalten und eignet sich für gebratenen "
                "Reis. 10-kg-Sack."
            ),
            "nl": (
                "Gepolijste witte rijst, door het exportcentrum geselecteerd voor "
                "restaurantkeukens: kookt luchtig, blijft goed warm in de rijstkoker en is geschikt "
                "voor gebakken rijst. Baal van 10 kg."
            ),
        },
        "price_cny": 6500,
        "unit": "sack",
        "unit_weight_g": 10000,
        "hs_code": "100630",
        "restricted_countries": [],
    },
    {
        "slug": "restaurant-rice-25kg",
        "category": "rice-grains",
        "position": 3,
        "names": {
            "zh_Hans": "餐饮大米 25公斤装",
            "zh_Hant": "餐飲白米 25公斤裝",
            "en": "Restaurant rice, 25 kg sack",
            "it": "Riso per la ristorazione, sacco da 25 kg",
            "es": "Arroz para hostelería, saco de 25 kg",
            "pt": "Arroz para restaurantes, saca de 25 kg",
            "fr": "Riz pour la restauration, sac de 25 kg",
            "de": "Gastro-Reis, 25-kg-Sack",
            "nl": "Horecarijst, baal van 25 kg",
        },
        "descriptions": {
            "zh_Hans": (
                "同款餐饮精白米的25公斤大包装，适合客流量大的餐馆，每公斤价格比10公斤装更低。"
            ),
            "zh_Hant": (
                "同款餐飲精白米的25公斤大包裝，適合人潮多的餐廳，每公斤價格比10公斤裝更低。"
            ),
            "en": (
                "The same polished restaurant rice in the large 25 kg sack, for busy kitchens: it "
                "costs less per kilo than the 10 kg sack."
            ),
            "it": (
                "Lo stesso riso per la ristorazione nel sacco grande da 25 kg, per le cucine più "
                "impegnate: costa meno al chilo rispetto al sacco da 10 kg."
            ),
            "es": (
                "El mismo arroz para hostelería en saco grande de 25 kg, pensado para cocinas con "
                "mucho movimiento: sale más barato por kilo que el saco de 10 kg."
            ),
            "pt": (
                "O mesmo arroz para restaurantes na saca grande de 25 kg, para cozinhas com muito "
                "movimento: fica mais barato ao quilo do que a saca de 10 kg."
            ),
            "fr": (
                "Le même riz pour la restauration en grand sac de 25 kg, pour les cuisines à fort "
                "débit : moins cher au kilo que le sac de 10 kg."
            ),
            "de": (
                "Derselbe Gastro-Reis im großen 25-kg-Sack für Küchen mit viel Betrieb: pro Kilo "
                "günstiger als der 10-kg-Sack."
            ),
            "nl": (
                "Dezelfde horecarijst in de grote baal van 25 kg, voor drukke keukens: per kilo "
                "voordeliger dan de baal van 10 kg."
            ),
        },
        "price_cny": 15000,
        "unit": "sack",
        "unit_weight_g": 25000,
        "hs_code": "100630",
        "restricted_countries": [],
    },
    {
        "slug": "qingtian-rice-noodles",
        "category": "rice-grains",
        "position": 4,
        "names": {
            "zh_Hans": "青田粉干 500克",
            "zh_Hant": "青田粉乾（米粉）500公克",
            "en": "Qingtian rice noodles, 500 g",
            "it": "Vermicelli di riso di Qingtian, 500 g",
            "es": "Fideos de arroz de Qingtian, 500 g",
            "pt": "Massa de arroz de Qingtian, 500 g",
            "fr": "Vermicelles de riz de Qingtian, 500 g",
            "de": "Reisnudeln aus Qingtian, 500 g",
            "nl": "Rijstnoedels uit Qingtian, 500 g",
        },
        "descriptions": {
            "zh_Hans": (
                "青田人早餐桌上的家常味，细韧有嚼劲。稍加浸泡后可与肉丝、青菜、鸡蛋同炒，"
                "或煮成汤粉干。"
            ),
            "zh_Hant": (
                "青田人早餐桌上的家常味，細韌有嚼勁。稍加浸泡後可與肉絲、青菜、雞蛋同炒，"
                "或煮成湯粉。"
            ),
            "en": (
                "Thin dried rice noodles, a Qingtian breakfast staple. Soak briefly, then stir-fry "
                "with pork, cabbage and egg, or cook in broth."
            ),
            "it": (
                "Sottili vermicelli di riso essiccati, un classico della colazione a Qingtian. Si "
                "ammollano brevemente e si saltano con maiale, cavolo e uovo, oppure si cuociono "
                "in brodo."
            ),
            "es": (
                "Finos fideos de arroz secos, un clásico del desayuno en Qingtian. Se remojan unos "
                "minutos y se saltean con cerdo, col y huevo, o se cuecen en caldo."
            ),
            "pt": (
                "Massa de arroz fina e seca, um clássico do pequeno-almoço em Qingtian. Basta "
                "demolhar alguns minutos e saltear com carne de porco, couve e ovo, ou cozinhar em "
                "caldo."
            ),
            "fr": (
                "Fins vermicelles de riz séchés, incontournables du petit-déjeuner à Qingtian. "
                "Faites-les tremper brièvement, puis sautez-les avec du porc, du chou et de l'œuf, "
                "ou cuisez-les dans un bouillon."
            ),
            "de": (
                "Dünne getrocknete Reisnudeln, ein Frühstücksklassiker in Qingtian. Kurz "
                "einweichen, dann mit Schweinefleisch, Kohl und Ei anbraten oder in Brühe garen."
            ),
            "nl": (
                "Dunne gedroogde rijstnoedels, een ontbijtklassieker in Qingtian. Kort weken en "
                "daarna roerbakken met varkensvlees, kool en ei, of in bouillon garen."
            ),
        },
        "price_cny": 1200,
        "unit": "bag",
        "unit_weight_g": 500,
        "hs_code": "190230",
        "restricted_countries": [],
    },
    {
        "slug": "qingtian-green-tea",
        "category": "tea",
        "position": 1,
        "names": {
            "zh_Hans": "青田高山绿茶 250克",
            "zh_Hant": "青田高山綠茶 250公克",
            "en": "Qingtian mountain green tea, 250 g tin",
            "it": "Tè verde di montagna di Qingtian, 250 g",
            "es": "Té verde de montaña de Qingtian, 250 g",
            "pt": "Chá verde de montanha de Qingtian, 250 g",
            "fr": "Thé vert des montagnes de Qingtian, 250 g",
            "de": "Grüner Bergtee aus Qingtian, 250 g",
            "nl": "Groene bergthee uit Qingtian, 250 g",
        },
        "descriptions": {
            "zh_Hans": (
                "采自青田山区茶园的春茶，手工采摘，汤色清亮，带淡淡栗香。每杯3克，用80–85°C的水冲泡"
                "。250克罐装。"
            ),
            "zh_Hant": (
                "採自青田山區茶園的春茶，手工採摘，茶湯清亮，帶淡淡栗香。每杯3公克，"
                "以80–85°C熱水沖泡。250公克罐裝。"
            ),
            "en": (
                "Spring green tea picked by hand in the hill gardens of Qingtian: bright and "
                "clean, with a light chestnut note. Brew 3 g in water at 80–85 °C. 250 g tin."
            ),
            "it": (
                "Tè verde primaverile raccolto a mano nelle piantagioni collinari di Qingtian: "
                "limpido e fresco, con una leggera nota di castagna. Infondere 3 g in acqua a 80–85 "
                "°C. Latta da 250 g."
            ),
            "es": (
                "Té verde de primavera recogido a mano en los jardines de las colinas de Qingtian: "
                "limpio, brillante y con un ligero aroma a castaña. Infusionar 3 g en agua a 80–85 "
                "°C. Lata de 250 g."
            ),
            "pt": (
                "Chá verde de primavera colhido à mão nas plantações das colinas de Qingtian: "
                "límpido, fresco e com um leve aroma a castanha. Infundir 3 g em água a 80–85 °C. "
                "Lata de 250 g."
            ),
            "fr": (
                "Thé vert de printemps cueilli à la main dans les jardins de thé des collines de "
                "Qingtian : clair, frais, avec une légère note de châtaigne. Infuser 3 g dans une "
                "eau à 80–85 °C. Boîte de 250 g."
            ),
            "de": (
                "Grüner Frühlingstee, in den Teegärten an den Hängen um Qingtian von Hand "
                "gepflückt: klar und frisch, mit einem leichten Maronenaroma. 3 g mit 80–85 °C "
                "heißem Wasser aufgießen. 250-g-Dose."
            ),
            "nl": (
                "Groene voorjaarsthee, met de hand geplukt in de heuveltuinen van Qingtian: "
                "helder, fris en met een lichte toets van tamme kastanje. 3 g laten trekken in "
                "water van 80–85 °C. Blik van 250 g."
            ),
        },
        "price_cny": 16800,
        "unit": "tin",
        "unit_weight_g": 250,
        "hs_code": "090210",
        "restricted_countries": [],
    },
    {
        "slug": "lishui-xiangcha",
        "category": "tea",
        "position": 2,
        "names": {
            "zh_Hans": "丽水香茶 250克",
            "zh_Hant": "麗水香茶 250公克",
            "en": "Lishui Xiangcha green tea, 250 g",
            "it": "Tè verde Lishui Xiangcha, 250 g",
            "es": "Té verde Lishui Xiangcha, 250 g",
            "pt": "Chá verde Lishui Xiangcha, 250 g",
            "fr": "Thé vert Lishui Xiangcha, 250 g",
            "de": "Grüntee Lishui Xiangcha, 250 g",
            "nl": "Groene thee Lishui Xiangcha, 250 g",
        },
        "descriptions": {
            "zh_Hans": (
                "丽水区域公用品牌绿茶，条索紧结，经炒制后香气高扬持久，耐冲泡，适合日常饮用。"
                "250克袋装。"
            ),
            "zh_Hant": (
                "麗水地方品牌綠茶，條索緊結，經炒製後香氣高揚持久，耐沖泡，適合日常飲用。"
                "250公克袋裝。"
            ),
            "en": (
                "Lishui's regional green tea, rolled into tight strips and pan-roasted for a "
                "strong, lasting aroma. An everyday tea that stands up to several infusions. 250 g "
                "bag."
            ),
            "it": (
                "Il tè verde regionale di Lishui, dalle foglie arrotolate strette e tostate in "
                "padella, con un aroma intenso e persistente. Un tè di tutti i giorni che regge più "
                "infusioni. Busta da 250 g."
            ),
            "es": (
                "El té verde regional de Lishui, enrollado en tiras finas y tostado en sartén para "
                "un aroma intenso y duradero. Un té de diario que admite varias infusiones. Bolsa "
                "de 250 g."
            ),
            "pt": (
                "O chá verde regional de Lishui, enrolado em tiras finas e torrado para um aroma "
                "intenso e persistente. Um chá do dia a dia que aguenta várias infusões. Saco de "
                "250 g."
            ),
            "fr": (
                "Le thé vert régional de Lishui, roulé en fines torsades et torréfié pour un arôme "
                "intense et persistant. Un thé du quotidien qui supporte plusieurs infusions. "
                "Sachet de 250 g."
            ),
            "de": (
                "Der regionale Grüntee aus Lishui, zu festen Strängen gerollt und in der Pfanne "
                "geröstet, mit kräftigem, lang anhaltendem Duft. Ein Alltagstee für mehrere "
                "Aufgüsse. 250-g-Beutel."
            ),
            "nl": (
                "De regionale groene thee van Lishui, tot strakke strengen gerold en geroosterd "
                "voor een krachtig, langdurig aroma. Een thee voor elke dag die meerdere keren "
                "opgeschonken kan worden. Zak van 250 g."
            ),
        },
        "price_cny": 8800,
        "unit": "bag",
        "unit_weight_g": 250,
        "hs_code": "090210",
        "restricted_countries": [],
    },
    {
        "slug": "dried-field-carp",
        "category": "dried-goods",
        "position": 1,
        "names": {
            "zh_Hans": "青田田鱼干 250克",
            "zh_Hant": "青田田魚乾 250公克",
            "en": "Qingtian dried field carp, 250 g",
            "it": "Carpa di risaia essiccata di Qingtian, 250 g",
            "es": "Carpa de arrozal seca de Qingtian, 250 g",
            "pt": "Carpa de arrozal seca de Qingtian, 250 g",
            "fr": "Carpe de rizière séchée de Qingtian, 250 g",
            "de": "Getrockneter Reisfeldkarpfen aus Qingtian, 250 g",
            "nl": "Gedroogde rijstveldkarper uit Qingtian, 250 g",
        },
        "descriptions": {
            "zh_Hans": (
                "稻鱼共生田里养大的田鱼，剖开后略加盐，用炭火慢慢烘干，是海外青田人最惦念的家乡味。"
                "可加姜片、黄酒清蒸。"
            ),
            "zh_Hant": (
                "稻魚共生田裡養大的田魚，剖開後略加鹽，以炭火慢慢烘乾，是海外青田人最惦念的家鄉味。"
                "可加薑片、黃酒清蒸。"
            ),
            "en": (
                "Field carp raised in the rice-fish paddies, split, lightly salted and slowly "
                "dried over charcoal: the taste of home Qingtian emigrants miss most. Steam with "
                "ginger and yellow wine."
            ),
            "it": (
                "Carpe allevate nelle risaie riso-pesce, aperte, leggermente salate ed essiccate "
                "lentamente sulla carbonella: il sapore di casa che più manca agli emigrati di "
                "Qingtian. Ottime al vapore con zenzero e vino giallo."
            ),
            "es": (
                "Carpas criadas en los arrozales de arroz-peces, abiertas, ligeramente saladas y "
                "secadas lentamente sobre carbón: el sabor de casa que más añoran los emigrantes "
                "de Qingtian. Deliciosas al vapor con jengibre y vino amarillo."
            ),
            "pt": (
                "Carpas criadas nos arrozais de rizipiscicultura, abertas, levemente salgadas e "
                "secas lentamente sobre carvão: o sabor da terra de que os emigrantes de Qingtian "
                "têm mais saudades. Ótimas cozinhadas ao vapor com gengibre e vinho amarelo."
            ),
            "fr": (
                "Carpes élevées dans les rizières, ouvertes, légèrement salées et séchées "
                "lentement au-dessus du charbon de bois : le goût du pays que regrettent le plus "
                "les émigrés de Qingtian. À cuire à la vapeur avec du gingembre et du vin jaune."
            ),
            "de": (
                "In den Reis-Fisch-Feldern aufgezogene Karpfen, aufgeschnitten, leicht gesalzen "
                "und langsam über Holzkohle getrocknet: der Geschmack der Heimat, den Auswanderer "
                "aus Qingtian am meisten vermissen. Mit Ingwer und Gelbwein dämpfen."
            ),
            "nl": (
                "Karpers uit de rijst-visvelden, opengesneden, licht gezouten en langzaam boven "
                "houtskool gedroogd: de smaak van thuis die emigranten uit Qingtian het meest "
                "missen. Stomen met gember en gele wijn."
            ),
        },
        "price_cny": 12800,
        "unit": "pack",
        "unit_weight_g": 250,
        "hs_code": "030552",
        "restricted_countries": [*_NO_FISH],
    },
    {
        "slug": "dried-bamboo-shoots",
        "category": "dried-goods",
        "position": 2,
        "names": {
            "zh_Hans": "丽水笋干 500克",
            "zh_Hant": "麗水筍乾 500公克",
            "en": "Dried bamboo shoots, 500 g",
            "it": "Germogli di bambù essiccati, 500 g",
            "es": "Brotes de bambú secos, 500 g",
            "pt": "Rebentos de bambu secos, 500 g",
            "fr": "Pousses de bambou séchées, 500 g",
            "de": "Getrocknete Bambussprossen, 500 g",
            "nl": "Gedroogde bamboescheuten, 500 g",
        },
        "descriptions": {
            "zh_Hans": (
                "丽水山区的春笋，煮熟后晒干而成。提前一晚泡发，可与五花肉同烧，或入汤，鲜香有嚼劲。"
                "500克袋装。"
            ),
            "zh_Hant": (
                "麗水山區的春筍，煮熟後曬乾而成。前一晚先泡發，可與五花肉同燒，或入湯，鮮香有嚼勁。"
                "500公克袋裝。"
            ),
            "en": (
                "Spring bamboo shoots from the Lishui hills, boiled and sun-dried. Soak overnight, "
                "then braise with pork belly or add to soups for a savoury, chewy bite. 500 g bag."
            ),
            "it": (
                "Germogli di bambù primaverili delle colline di Lishui, bolliti ed essiccati al "
                "sole. Ammollare per una notte, poi stufare con pancetta di maiale o aggiungere "
                "alle zuppe: saporiti e consistenti. Busta da 500 g."
            ),
            "es": (
                "Brotes de bambú de primavera de las colinas de Lishui, cocidos y secados al sol. "
                "Remojar la noche anterior y guisar con panceta de cerdo o añadir a sopas: "
                "sabrosos y con textura. Bolsa de 500 g."
            ),
            "pt": (
                "Rebentos de bambu de primavera das colinas de Lishui, cozidos e secos ao sol. "
                "Demolhar de véspera e estufar com barriga de porco ou juntar a sopas: saborosos e "
                "com boa textura. Saco de 500 g."
            ),
            "fr": (
                "Pousses de bambou de printemps des collines de Lishui, bouillies puis séchées au "
                "soleil. Réhydrater une nuit, puis braiser avec de la poitrine de porc ou ajouter "
                "aux soupes : savoureuses et fermes. Sachet de 500 g."
            ),
            "de": (
                "Frühlingsbambussprossen aus den Bergen um Lishui, gekocht und in der Sonne "
                "getrocknet. Über Nacht einweichen, dann mit Schweinebauch schmoren oder in Suppen "
                "geben: würzig und bissfest. 500-g-Beutel."
            ),
            "nl": (
                "Voorjaarsbamboescheuten uit de heuvels van Lishui, gekookt en in de zon gedroogd. "
                "Een nacht weken en daarna stoven met buikspek of toevoegen aan soepen: hartig en "
                "stevig van bite. Zak van 500 g."
            ),
        },
        "price_cny": 4500,
        "unit": "bag",
        "unit_weight_g": 500,
        "hs_code": "071290",
        "restricted_countries": [],
    },
    {
        "slug": "dried-shiitake",
        "category": "dried-goods",
        "position": 3,
        "names": {
            "zh_Hans": "庆元干香菇 250克",
            "zh_Hant": "慶元乾香菇 250公克",
            "en": "Dried shiitake from Qingyuan, 250 g",
            "it": "Funghi shiitake secchi di Qingyuan, 250 g",
            "es": "Setas shiitake secas de Qingyuan, 250 g",
            "pt": "Cogumelos shiitake secos de Qingyuan, 250 g",
            "fr": "Champignons shiitaké séchés de Qingyuan, 250 g",
            "de": "Getrocknete Shiitake aus Qingyuan, 250 g",
            "nl": "Gedroogde shiitake uit Qingyuan, 250 g",
        },
        "descriptions": {
            "zh_Hans": (
                "产自丽水庆元县——八百多年前人工栽培香菇的发源地，肉厚菇香。温水泡发，"
                "泡菇水可留作高汤。250克袋装。"
            ),
            "zh_Hant": (
                "產自麗水慶元縣——八百多年前人工栽培香菇的發源地，肉厚菇香。以溫水泡發，"
                "泡香菇的水可留作高湯。250公克袋裝。"
            ),
            "en": (
                "Thick-capped shiitake from Qingyuan county in Lishui, where log cultivation of "
                "shiitake began some 800 years ago. Soak in warm water and keep the liquid for "
                "stock. 250 g bag."
            ),
            "it": (
                "Shiitake dal cappello spesso della contea di Qingyuan, a Lishui, dove la "
                "coltivazione su tronchi è nata circa 800 anni fa. Reidratare in acqua tiepida e "
                "conservare l'acqua di ammollo per il brodo. Busta da 250 g."
            ),
            "es": (
                "Shiitake de sombrero grueso del condado de Qingyuan, en Lishui, donde nació su "
                "cultivo en troncos hace unos 800 años. Hidratar en agua tibia y guardar el agua "
                "del remojo para caldo. Bolsa de 250 g."
            ),
            "pt": (
                "Shiitake de chapéu grosso do condado de Qingyuan, em Lishui, onde o cultivo em "
                "troncos nasceu há cerca de 800 anos. Demolhar em água morna e guardar a água da "
                "demolha para caldo. Saco de 250 g."
            ),
            "fr": (
                "Shiitakés à chapeau épais du district de Qingyuan, à Lishui, où leur culture sur "
                "bûches est née il y a environ 800 ans. Réhydrater à l'eau tiède et garder l'eau "
                "de trempage pour le bouillon. Sachet de 250 g."
            ),
            "de": (
                "Dickfleischige Shiitake aus dem Kreis Qingyuan in Lishui, wo ihr Anbau auf "
                "Holzstämmen vor rund 800 Jahren begann. In warmem Wasser einweichen und das "
                "Einweichwasser für Brühe aufheben. 250-g-Beutel."
            ),
            "nl": (
                "Shiitake met dikke hoed uit het district Qingyuan in Lishui, waar de teelt op "
                "boomstammen zo'n 800 jaar geleden begon. Wellen in lauw water en het weekwater "
                "bewaren voor bouillon. Zak van 250 g."
            ),
        },
        "price_cny": 3800,
        "unit": "bag",
        "unit_weight_g": 250,
        "hs_code": "071234",
        "restricted_countries": [],
    },
    {
        "slug": "flower-shiitake",
        "category": "dried-goods",
        "position": 4,
        "names": {
            "zh_Hans": "庆元花菇 200克",
            "zh_Hant": "慶元花菇 200公克",
            "en": "Flower shiitake (huagu) from Qingyuan, 200 g",
            "it": "Shiitake fiore (huagu) di Qingyuan, 200 g",
            "es": "Shiitake flor (huagu) de Qingyuan, 200 g",
            "pt": "Shiitake-flor (huagu) de Qingyuan, 200 g",
            "fr": "Shiitakés fleurs (huagu) de Qingyuan, 200 g",
            "de": "Blumen-Shiitake (Huagu) aus Qingyuan, 200 g",
            "nl": "Bloem-shiitake (huagu) uit Qingyuan, 200 g",
        },
        "descriptions": {
            "zh_Hans": (
                "香菇中的上品：在低温干燥的天气中缓慢生长，菇盖表面裂出白色花纹。肉质更厚实、"
                "香气更浓，适合红烧和宴席菜。200克袋装。"
            ),
            "zh_Hant": (
                "香菇中的上品：在低溫乾燥的天氣中緩慢生長，菇傘表面裂出白色花紋。肉質更厚實、香氣更濃，"
                "適合紅燒和宴席菜。200公克袋裝。"
            ),
            "en": (
                "The prized grade of shiitake: growing slowly in cold, dry weather, the caps crack "
                "into a white, flower-like pattern. Firmer and more aromatic than ordinary "
                "shiitake, ideal for braises and banquets. 200 g bag."
            ),
            "it": (
                "La qualità più pregiata di shiitake: con la crescita lenta al freddo secco, il "
                "cappello si screpola formando un disegno bianco a fiore. Più sodi e aromatici "
                "degli shiitake comuni, perfetti per brasati e pranzi di festa. Busta da 200 g."
            ),
            "es": (
                "La calidad más apreciada del shiitake: al crecer despacio con frío seco, el "
                "sombrero se agrieta en un dibujo blanco de flor. Más firmes y aromáticos que el "
                "shiitake común, ideales para guisos y banquetes. Bolsa de 200 g."
            ),
            "pt": (
                "A qualidade mais apreciada de shiitake: ao crescer devagar com frio seco, o "
                "chapéu abre-se num desenho branco em forma de flor. Mais firmes e aromáticos do "
                "que o shiitake comum, ideais para estufados e banquetes. Saco de 200 g."
            ),
            "fr": (
                "La qualité la plus recherchée de shiitaké : en poussant lentement par temps froid "
                "et sec, le chapeau se craquelle en motif blanc de fleur. Plus fermes et parfumés "
                "que les shiitakés ordinaires, parfaits pour les plats braisés et les banquets. "
                "Sachet de 200 g."
            ),
            "de": (
                "Die edelste Shiitake-Qualität: Bei langsamem Wachstum in kalter, trockener Luft "
                "reißt der Hut zu einem weißen Blütenmuster auf. Fester und aromatischer als "
                "gewöhnliche Shiitake, ideal zum Schmoren und für Festessen. 200-g-Beutel."
            ),
            "nl": (
                "De meest gewaardeerde shiitakekwaliteit: door de trage groei bij koud, droog weer "
                "barst de hoed open in een wit bloemenpatroon. Steviger en geuriger dan gewone "
                "shiitake, ideaal voor stoofgerechten en feestmaaltijden. Zak van 200 g."
            ),
        },
        "price_cny": 6800,
        "unit": "bag",
        "unit_weight_g": 200,
        "hs_code": "071234",
        "restricted_countries": [],
    },
    {
        "slug": "shiitake-restaurant-1kg",
        "category": "dried-goods",
        "position": 5,
        "names": {
            "zh_Hans": "干香菇餐饮装 1公斤",
            "zh_Hant": "乾香菇餐飲裝 1公斤",
            "en": "Dried shiitake, restaurant pack, 1 kg",
            "it": "Shiitake secchi, confezione ristorazione, 1 kg",
            "es": "Shiitake secos, formato hostelería, 1 kg",
            "pt": "Shiitake secos, embalagem para restaurantes, 1 kg",
            "fr": "Shiitakés séchés, format restauration, 1 kg",
            "de": "Getrocknete Shiitake, Gastropackung, 1 kg",
            "nl": "Gedroogde shiitake, horecaverpakking, 1 kg",
        },
        "descriptions": {
            "zh_Hans": (
                "中等大小的整朵干香菇，适合餐馆日常炒菜、煲汤和做饺子馅。由青田出口中心分拣包装。"
                "1公斤袋装。"
            ),
            "zh_Hant": (
                "中等大小的整朵乾香菇，適合餐廳日常熱炒、燉湯和做餃子餡。由青田出口中心分揀包裝。"
                "1公斤袋裝。"
            ),
            "en": (
                "Medium-sized whole shiitake for everyday restaurant cooking: stir-fries, soups "
                "and dumpling fillings. Sorted and packed at the Qingtian export centre. 1 kg bag."
            ),
            "it": (
                "Shiitake interi di media pezzatura per la cucina quotidiana dei ristoranti: "
                "saltati, zuppe, ripieni di ravioli. Selezionati e confezionati dal centro export "
                "di Qingtian. Busta da 1 kg."
            ),
            "es": (
                "Shiitake enteros de tamaño medio para la cocina diaria del restaurante: "
                "salteados, sopas y rellenos de empanadillas. Seleccionados y envasados en el "
                "centro de exportación de Qingtian. Bolsa de 1 kg."
            ),
            "pt": (
                "Shiitake inteiros de tamanho médio para a cozinha diária do restaurante: "
                "salteados, sopas e recheios de guiozas. Selecionados e embalados no centro de "
                "exportação de Qingtian. Saco de 1 kg."
            ),
            "fr": (
                "Shiitakés entiers de taille moyenne pour la cuisine de tous les jours au "
                "restaurant : sautés, soupes, farces de raviolis. Triés et conditionnés au centre "
                "d'export de Qingtian. Sachet de 1 kg."
            ),
            "de": (
                "Ganze, mittelgroße Shiitake für die tägliche Restaurantküche: Pfannengerichte, "
                "Suppen, Teigtaschenfüllungen. Im Exportzentrum Qingtian sortiert und verpackt. "
                "1-kg-Beutel."
            ),
            "nl": (
                "Hele, middelgrote shiitake voor de dagelijkse restaurantkeuken: roerbakgerechten, "
                "soepen en vulling voor dumplings. Gesorteerd en verpakt in het exportcentrum van "
                "Qingtian. Zak van 1 kg."
            ),
        },
        "price_cny": 12000,
        "unit": "bag",
        "unit_weight_g": 1000,
        "hs_code": "071234",
        "restricted_countries": [],
    },
    {
        "slug": "black-fungus",
        "category": "dried-goods",
        "position": 6,
        "names": {
            "zh_Hans": "丽水黑木耳 250克",
            "zh_Hant": "麗水黑木耳 250公克",
            "en": "Dried black fungus (wood ear), 250 g",
            "it": "Funghi neri secchi (orecchie di Giuda), 250 g",
            "es": "Hongo negro seco (oreja de Judas), 250 g",
            "pt": "Cogumelo preto seco (orelha-de-judas), 250 g",
            "fr": "Champignons noirs séchés (oreilles de Judas), 250 g",
            "de": "Getrocknete Mu-Err-Pilze, 250 g",
            "nl": "Gedroogde zwarte houtzwam (judasoor), 250 g",
        },
        "descriptions": {
            "zh_Hans": (
                "丽水山区出产，朵小肉厚，泡发率高。口感爽脆，适合酸辣汤、小炒，或加醋和蒜末凉拌。"
                "250克袋装。"
            ),
            "zh_Hant": (
                "麗水山區出產，朵小肉厚，泡發率高。口感爽脆，適合酸辣湯、熱炒，或加醋和蒜末涼拌。"
                "250公克袋裝。"
            ),
            "en": (
                "Small, thick black fungus from the Lishui hills that swells to many times its "
                "size when soaked. Crunchy and mild: for hot-and-sour soup, stir-fries and cold "
                "salads with vinegar and garlic. 250 g bag."
            ),
            "it": (
                "Funghi neri piccoli e carnosi delle colline di Lishui, che in ammollo aumentano "
                "molte volte di volume. Croccanti e delicati, per la zuppa agropiccante, i saltati "
                "in padella e le insalate fredde con aceto e aglio. Busta da 250 g."
            ),
            "es": (
                "Hongo negro pequeño y carnoso de las colinas de Lishui, que multiplica su tamaño "
                "al remojarlo. Crujiente y suave, para sopa agripicante, salteados y ensaladas "
                "frías con vinagre y ajo. Bolsa de 250 g."
            ),
            "pt": (
                "Cogumelo preto pequeno e carnudo das colinas de Lishui, que aumenta várias vezes "
                "de volume quando demolhado. Crocante e suave, para sopa agripicante, salteados e "
                "saladas frias com vinagre e alho. Saco de 250 g."
            ),
            "fr": (
                "Petits champignons noirs charnus des collines de Lishui, qui gonflent "
                "considérablement au trempage. Croquants et doux, pour la soupe aigre-piquante, "
                "les sautés et les salades froides au vinaigre et à l'ail. Sachet de 250 g."
            ),
            "de": (
                "Kleine, fleischige Mu-Err-Pilze aus den Bergen um Lishui, die beim Einweichen um "
                "ein Vielfaches aufquellen. Knackig und mild, für Sauer-Scharf-Suppe, "
                "Pfannengerichte und kalte Salate mit Essig und Knoblauch. 250-g-Beutel."
            ),
            "nl": (
                "Kleine, vlezige zwarte houtzwammen uit de heuvels van Lishui, die bij het weken "
                "vele malen groter worden. Knapperig en mild, voor zuur-pittige soep, "
                "roerbakgerechten en koude salades met azijn en knoflook. Zak van 250 g."
            ),
        },
        "price_cny": 3200,
        "unit": "bag",
        "unit_weight_g": 250,
        "hs_code": "071232",
        "restricted_countries": [],
    },
    {
        "slug": "dried-mustard-greens",
        "category": "dried-goods",
        "position": 7,
        "names": {
            "zh_Hans": "梅干菜 500克",
            "zh_Hant": "梅乾菜 500公克",
            "en": "Dried mustard greens (meigancai), 500 g",
            "it": "Foglie di senape essiccate (meigancai), 500 g",
            "es": "Hojas de mostaza secas (meigancai), 500 g",
            "pt": "Folhas de mostarda secas (meigancai), 500 g",
            "fr": "Feuilles de moutarde séchées (meigancai), 500 g",
            "de": "Getrocknetes Senfkraut (Meigancai), 500 g",
            "nl": "Gedroogde mosterdbladeren (meigancai), 500 g",
        },
        "descriptions": {
            "zh_Hans": (
                "按浙江传统将芥菜腌制、发酵后晒干，色泽乌亮，咸香回甘。做梅干菜扣肉必不可少，"
                "也可做梅干菜烧饼、包子。500克袋装。"
            ),
            "zh_Hant": (
                "依浙江傳統將芥菜醃製、發酵後曬乾，色澤烏亮，鹹香回甘。做梅乾菜扣肉不可或缺，"
                "也可做梅乾菜燒餅、包子。500公克袋裝。"
            ),
            "en": (
                "Mustard greens salted, fermented and sun-dried the Zhejiang way. Dark, savoury "
                "and slightly sweet: essential for braised pork belly (meigancai kourou) and for "
                "steamed buns. 500 g bag."
            ),
            "it": (
                "Foglie di senape salate, fermentate ed essiccate al sole secondo la tradizione "
                "dello Zhejiang. Scure, sapide e leggermente dolci: indispensabili per la pancetta "
                "brasata (meigancai kourou) e per i panini al vapore. Busta da 500 g."
            ),
            "es": (
                "Hojas de mostaza saladas, fermentadas y secadas al sol a la manera de Zhejiang. "
                "Oscuras, sabrosas y algo dulces: imprescindibles para la panceta estofada "
                "(meigancai kourou) y los panecillos al vapor. Bolsa de 500 g."
            ),
            "pt": (
                "Folhas de mostarda salgadas, fermentadas e secas ao sol à maneira de Zhejiang. "
                "Escuras, saborosas e levemente doces: indispensáveis para a barriga de porco "
                "estufada (meigancai kourou) e os pãezinhos cozidos a vapor. Saco de 500 g."
            ),
            "fr": (
                "Feuilles de moutarde salées, fermentées et séchées au soleil à la manière du "
                "Zhejiang. Sombres, savoureuses et légèrement sucrées : indispensables pour la "
                "poitrine de porc braisée (meigancai kourou) et les brioches vapeur. Sachet de 500 "
                "g."
            ),
            "de": (
                "Senfkraut, nach Zhejiang-Art gesalzen, fermentiert und in der Sonne getrocknet. "
                "Dunkel, würzig und leicht süßlich: unverzichtbar für geschmorten Schweinebauch "
                "(Meigancai Kourou) und gedämpfte Hefeteigtaschen. 500-g-Beutel."
            ),
            "nl": (
                "Mosterdbladeren, op de Zhejiang-manier gezouten, gefermenteerd en in de zon "
                "gedroogd. Donker, hartig en licht zoet: onmisbaar voor gestoofd buikspek "
                "(meigancai kourou) en gestoomde broodjes. Zak van 500 g."
            ),
        },
        "price_cny": 2800,
        "unit": "bag",
        "unit_weight_g": 500,
        "hs_code": "071290",
        "restricted_countries": [],
    },
    {
        "slug": "camellia-oil-1l",
        "category": "oils-sauces",
        "position": 1,
        "names": {
            "zh_Hans": "丽水山茶油 1升",
            "zh_Hant": "麗水山茶油（苦茶油）1公升",
            "en": "Lishui camellia seed oil, 1 L",
            "it": "Olio di semi di camelia di Lishui, 1 L",
            "es": "Aceite de semilla de camelia de Lishui, 1 L",
            "pt": "Óleo de semente de camélia de Lishui, 1 L",
            "fr": "Huile de graines de camélia de Lishui, 1 L",
            "de": "Kamelienöl aus Lishui, 1 L",
            "nl": "Cameliaolie uit Lishui, 1 L",
        },
        "descriptions": {
            "zh_Hans": (
                "以丽水山区油茶树的茶籽压榨而成，清香柔和，油酸含量高、耐高温，适合炒菜，"
                "也可用于凉拌。1升瓶装。"
            ),
            "zh_Hant": (
                "以麗水山區油茶樹的茶籽壓榨而成，清香溫潤，油酸含量高、耐高溫，適合熱炒，"
                "也可用於涼拌。1公升瓶裝。"
            ),
            "en": (
                "Pressed from the seeds of the oil camellia (Camellia oleifera) grown on the "
                "Lishui hills. Mild and nutty, rich in oleic acid and stable at high heat: good "
                "for stir-frying and for dressing cold dishes. 1 L bottle."
            ),
            "it": (
                "Olio spremuto dai semi della camelia da olio (Camellia oleifera) coltivata sulle "
                "colline di Lishui. Delicato, con sentori di frutta secca, ricco di acido oleico e "
                "stabile ad alte temperature: adatto per saltare in padella e per condire a crudo. "
                "Bottiglia da 1 L."
            ),
            "es": (
                "Aceite prensado de las semillas de la camelia oleífera (Camellia oleifera) de las "
                "colinas de Lishui. Suave, con notas de fruto seco, rico en ácido oleico y estable "
                "a altas temperaturas: ideal para saltear y para aliñar en crudo. Botella de 1 L."
            ),
            "pt": (
                "Óleo prensado das sementes da camélia-oleífera (Camellia oleifera) das colinas de "
                "Lishui. Suave, com notas de frutos secos, rico em ácido oleico e estável a altas "
                "temperaturas: bom para saltear e para temperar pratos frios. Garrafa de 1 L."
            ),
            "fr": (
                "Huile pressée à partir des graines du camélia oléifère (Camellia oleifera) des "
                "collines de Lishui. Douce, aux notes de fruits secs, riche en acide oléique et "
                "stable à haute température : idéale pour les sautés comme pour l'assaisonnement à "
                "froid. Bouteille de 1 L."
            ),
            "de": (
                "Gepresst aus den Samen der Öl-Kamelie (Camellia oleifera) von den Hügeln um "
                "Lishui. Mild und nussig, reich an Ölsäure und hitzestabil – zum Braten im Wok "
                "ebenso wie für kalte Gerichte. 1-L-Flasche."
            ),
            "nl": (
                "Geperst uit de zaden van de oliecamelia (Camellia oleifera) op de heuvels rond "
                "Lishui. Mild en nootachtig, rijk aan oliezuur en hittebestendig: geschikt om te "
                "roerbakken en voor koude gerechten. Fles van 1 L."
            ),
        },
        "price_cny": 19800,
        "unit": "bottle",
        "unit_weight_g": 1000,
        "hs_code": "151590",
        "restricted_countries": [],
    },
    {
        "slug": "soy-sauce-1-9l",
        "category": "oils-sauces",
        "position": 2,
        "names": {
            "zh_Hans": "酿造酱油 1.9升",
            "zh_Hant": "釀造醬油 1.9公升",
            "en": "Naturally brewed soy sauce, 1.9 L",
            "it": "Salsa di soia a fermentazione naturale, 1,9 L",
            "es": "Salsa de soja de elaboración natural, 1,9 L",
            "pt": "Molho de soja de fermentação natural, 1,9 L",
            "fr": "Sauce soja brassée naturellement, 1,9 L",
            "de": "Natürlich gebraute Sojasauce, 1,9 L",
            "nl": "Natuurlijk gebrouwen sojasaus, 1,9 L",
        },
        "descriptions": {
            "zh_Hans": (
                "以大豆、小麦为原料酿造的生抽，可用于调味、炒菜和蘸食。1.9升大瓶，适合餐馆后厨。"
            ),
            "zh_Hant": (
                "以黃豆、小麥為原料釀造的淡色醬油，可用於調味、熱炒和沾食。1.9公升大瓶，"
                "適合餐廳廚房。"
            ),
            "en": (
                "Light soy sauce brewed from soybeans and wheat, for seasoning, stir-frying and "
                "dipping. The 1.9 L bottle is a practical size for restaurant kitchens."
            ),
            "it": (
                "Salsa di soia chiara ottenuta dalla fermentazione di soia e frumento, per "
                "insaporire, saltare in padella e intingere. Il formato da 1,9 L è pratico per le "
                "cucine dei ristoranti."
            ),
            "es": (
                "Salsa de soja clara fermentada a partir de soja y trigo, para sazonar, saltear y "
                "mojar. El formato de 1,9 L es práctico para cocinas de restaurante."
            ),
            "pt": (
                "Molho de soja claro fermentado a partir de soja e trigo, para temperar, saltear e "
                "servir como molho. O formato de 1,9 L é prático para cozinhas de restaurante."
            ),
            "fr": (
                "Sauce soja claire brassée à partir de soja et de blé, pour assaisonner, faire "
                "sauter et tremper. Le format de 1,9 L est pratique pour les cuisines de "
                "restaurant."
            ),
            "de": (
                "Helle Sojasauce, aus Sojabohnen und Weizen gebraut, zum Würzen, Braten und "
                "Dippen. Die 1,9-L-Flasche ist praktisch für Restaurantküchen."
            ),
            "nl": (
                "Lichte sojasaus, gebrouwen van sojabonen en tarwe, om op smaak te brengen, te "
                "roerbakken en te dippen. De fles van 1,9 L is handig voor restaurantkeukens."
            ),
        },
        "price_cny": 2500,
        "unit": "bottle",
        "unit_weight_g": 1900,
        "hs_code": "210310",
        "restricted_countries": [],
    },
    {
        "slug": "dried-bayberry",
        "category": "bayberry-sweets",
        "position": 1,
        "names": {
            "zh_Hans": "丽水杨梅干 250克",
            "zh_Hant": "麗水楊梅乾 250公克",
            "en": "Dried Chinese bayberries (yangmei), 250 g",
            "it": "Bacche di yangmei essiccate, 250 g",
            "es": "Bayas de yangmei secas, 250 g",
            "pt": "Bagas de yangmei secas, 250 g",
            "fr": "Baies de yangmei séchées, 250 g",
            "de": "Getrocknete Yangmei-Beeren, 250 g",
            "nl": "Gedroogde yangmei-bessen, 250 g",
        },
        "descriptions": {
            "zh_Hans": (
                "初夏采摘成熟的杨梅，略加糖和盐制成果干，酸甜有嚼劲，是浙江人熟悉的传统零嘴。"
                "250克袋装。"
            ),
            "zh_Hant": (
                "初夏採摘成熟的楊梅，略加糖和鹽製成果乾，酸甜有嚼勁，是浙江人熟悉的傳統零嘴。"
                "250公克袋裝。"
            ),
            "en": (
                "Chinese bayberries (Myrica rubra), picked ripe in early summer and dried with a "
                "little sugar and salt. Sweet-sour and chewy, a classic Zhejiang snack. 250 g bag."
            ),
            "it": (
                "Bacche di yangmei (Myrica rubra) raccolte mature a inizio estate ed essiccate con "
                "un po' di zucchero e sale. Agrodolci e consistenti, uno snack classico dello "
                "Zhejiang. Busta da 250 g."
            ),
            "es": (
                "Bayas de yangmei (Myrica rubra) recogidas maduras a principios de verano y "
                "secadas con un poco de azúcar y sal. Agridulces y masticables, un aperitivo "
                "clásico de Zhejiang. Bolsa de 250 g."
            ),
            "pt": (
                "Bagas de yangmei (Myrica rubra) colhidas maduras no início do verão e secas com "
                "um pouco de açúcar e sal. Agridoces e macias, um petisco clássico de Zhejiang. "
                "Saco de 250 g."
            ),
            "fr": (
                "Baies de yangmei (Myrica rubra) cueillies mûres au début de l'été et séchées avec "
                "un peu de sucre et de sel. Aigres-douces et moelleuses, un en-cas classique du "
                "Zhejiang. Sachet de 250 g."
            ),
            "de": (
                "Yangmei-Beeren (Myrica rubra), im Frühsommer reif gepflückt und mit etwas Zucker "
                "und Salz getrocknet. Süßsauer und schön bissfest, ein klassischer Snack aus "
                "Zhejiang. 250-g-Beutel."
            ),
            "nl": (
                "Yangmei-bessen (Myrica rubra), rijp geplukt in de vroege zomer en gedroogd met "
                "wat suiker en zout. Zoetzuur en stevig om op te kauwen, een klassieke snack uit "
                "Zhejiang. Zak van 250 g."
            ),
        },
        "price_cny": 3500,
        "unit": "bag",
        "unit_weight_g": 250,
        "hs_code": "200899",
        "restricted_countries": [],
    },
    {
        "slug": "bayberry-jam",
        "category": "bayberry-sweets",
        "position": 2,
        "names": {
            "zh_Hans": "杨梅果酱 300克",
            "zh_Hant": "楊梅果醬 300公克",
            "en": "Chinese bayberry jam, 300 g",
            "it": "Confettura di yangmei, 300 g",
            "es": "Mermelada de yangmei, 300 g",
            "pt": "Doce de yangmei, 300 g",
            "fr": "Confiture de yangmei, 300 g",
            "de": "Yangmei-Konfitüre, 300 g",
            "nl": "Yangmei-jam, 300 g",
        },
        "descriptions": {
            "zh_Hans": (
                "杨梅加糖熬制，色泽深红，酸甜清爽。可抹面包、拌酸奶或用于甜点。300克玻璃瓶装。"
            ),
            "zh_Hant": (
                "楊梅加糖熬製，色澤深紅，酸甜清爽。可塗抹吐司、拌優格或用於甜點。300公克玻璃瓶裝。"
            ),
            "en": (
                "Bayberries cooked with sugar into a deep-red jam, bright and tangy. Spread it on "
                "toast, stir it into yoghurt or use it to glaze desserts. 300 g jar."
            ),
            "it": (
                "Yangmei cotti con lo zucchero in una confettura rosso scuro, vivace e acidula. Da "
                "spalmare sul pane tostato, mescolare allo yogurt o usare per glassare i dolci. "
                "Vasetto da 300 g."
            ),
            "es": (
                "Yangmei cocidos con azúcar hasta obtener una mermelada rojo oscuro, viva y ácida. "
                "Para untar en tostadas, mezclar con yogur o glasear postres. Tarro de 300 g."
            ),
            "pt": (
                "Yangmei cozidos com açúcar num doce vermelho-escuro, vivo e ácido. Para barrar "
                "torradas, misturar no iogurte ou cobrir sobremesas. Frasco de 300 g."
            ),
            "fr": (
                "Yangmei cuits au sucre en une confiture rouge profond, vive et acidulée. À "
                "tartiner, à mélanger au yaourt ou pour napper les desserts. Pot de 300 g."
            ),
            "de": (
                "Yangmei mit Zucker zu einer tiefroten, frisch-säuerlichen Konfitüre eingekocht. "
                "Aufs Brot, in den Joghurt oder zum Glasieren von Desserts. 300-g-Glas."
            ),
            "nl": (
                "Yangmei met suiker ingekookt tot een dieprode, frisse en licht zure jam. Op "
                "brood, door de yoghurt of om desserts te glaceren. Pot van 300 g."
            ),
        },
        "price_cny": 2800,
        "unit": "jar",
        "unit_weight_g": 300,
        "hs_code": "200799",
        "restricted_countries": [],
    },
    {
        "slug": "bayberry-wine",
        "category": "wine",
        "position": 1,
        "names": {
            "zh_Hans": "杨梅酒 500毫升",
            "zh_Hant": "楊梅酒 500毫升",
            "en": "Chinese bayberry wine, 500 ml",
            "it": "Vino di yangmei, 500 ml",
            "es": "Vino de yangmei, 500 ml",
            "pt": "Vinho de yangmei, 500 ml",
            "fr": "Vin de yangmei, 500 ml",
            "de": "Yangmei-Wein, 500 ml",
            "nl": "Yangmeiwijn, 500 ml",
        },
        "descriptions": {
            "zh_Hans": (
                "以浙江成熟杨梅发酵酿制的果酒，宝石红色，酸甜芳香，冰镇饮用更佳。含酒精（12%vol），"
                "部分国家对邮寄酒类有限制或征税。"
            ),
            "zh_Hant": (
                "以浙江成熟楊梅發酵釀製的水果酒，寶石紅色，酸甜芳香，冰鎮飲用更佳。"
                "含酒精（12%vol），部分國家對郵寄酒類有限制或課稅。"
            ),
            "en": (
                "Ruby-red fruit wine fermented from ripe Zhejiang bayberries, sweet-tart and "
                "fragrant; serve chilled. Contains alcohol (12% vol): some countries limit or tax "
                "alcohol in parcels."
            ),
            "it": (
                "Vino di frutta rosso rubino, ottenuto dalla fermentazione di yangmei maturi dello "
                "Zhejiang, agrodolce e profumato; da servire fresco. Contiene alcol (12% vol): "
                "alcuni paesi limitano o tassano l'alcol nelle spedizioni."
            ),
            "es": (
                "Vino de fruta rojo rubí, fermentado a partir de yangmei maduros de Zhejiang, "
                "agridulce y aromático; servir frío. Contiene alcohol (12 % vol.): algunos países "
                "limitan o gravan el alcohol en los envíos."
            ),
            "pt": (
                "Vinho de fruta vermelho-rubi, fermentado a partir de yangmei maduros de Zhejiang, "
                "agridoce e aromático; servir fresco. Contém álcool (12% vol.): alguns países "
                "limitam ou tributam o álcool em encomendas."
            ),
            "fr": (
                "Vin de fruit rouge rubis, fermenté à partir de yangmei mûrs du Zhejiang, "
                "aigre-doux et parfumé ; à servir frais. Contient de l'alcool (12 % vol.) : "
                "certains pays limitent ou taxent l'alcool dans les colis."
            ),
            "de": (
                "Rubinroter Fruchtwein aus reifen Yangmei-Beeren der Provinz Zhejiang, süßsauer und "
                "duftig; gekühlt servieren. Enthält Alkohol (12 % vol.): Manche Länder beschränken "
                "oder besteuern Alkohol in Paketen."
            ),
            "nl": (
                "Robijnrode vruchtenwijn, gegist van rijpe yangmei uit Zhejiang, zoetzuur en "
                "geurig; gekoeld serveren. Bevat alcohol (12% vol.): sommige landen beperken of "
                "belasten alcohol in pakketten."
            ),
        },
        "price_cny": 6800,
        "unit": "bottle",
        "unit_weight_g": 500,
        "hs_code": "220600",
        "restricted_countries": [],
    },
    {
        "slug": "lishui-yellow-wine",
        "category": "wine",
        "position": 2,
        "names": {
            "zh_Hans": "丽水糯米黄酒 500毫升",
            "zh_Hant": "麗水糯米黃酒 500毫升",
            "en": "Lishui yellow rice wine (huangjiu), 500 ml",
            "it": "Vino giallo di Lishui (huangjiu), 500 ml",
            "es": "Vino amarillo de Lishui (huangjiu), 500 ml",
            "pt": "Vinho amarelo de Lishui (huangjiu), 500 ml",
            "fr": "Vin jaune chinois de Lishui (huangjiu), 500 ml",
            "de": "Gelber Reiswein aus Lishui (Huangjiu), 500 ml",
            "nl": "Gele rijstwijn uit Lishui (huangjiu), 500 ml",
        },
        "descriptions": {
            "zh_Hans": (
                "以糯米按传统工艺酿造，色泽琥珀，醇厚柔和。可温热饮用，也可用于烹鱼、红烧肉和醉鸡。"
                "含酒精（14%vol），部分国家对邮寄酒类有限制或征税。"
            ),
            "zh_Hant": (
                "以糯米依傳統工法釀造，色澤琥珀，醇厚溫潤。可溫熱飲用，也可用於烹魚、紅燒肉和醉雞。"
                "含酒精（14%vol），部分國家對郵寄酒類有限制或課稅。"
            ),
            "en": (
                "Amber yellow wine brewed from glutinous rice in the traditional way. Drink it "
                "warm, or cook with it: fish, red-braised pork, drunken chicken. Contains alcohol "
                "(14% vol): some countries limit or tax alcohol in parcels."
            ),
            "it": (
                "Vino giallo ambrato, prodotto con riso glutinoso secondo il metodo tradizionale. "
                "Si beve tiepido o si usa in cucina per pesce, maiale brasato e pollo ubriaco. "
                "Contiene alcol (14% vol): alcuni paesi limitano o tassano l'alcol nelle "
                "spedizioni."
            ),
            "es": (
                "Vino amarillo ambarino elaborado con arroz glutinoso de forma tradicional. Se "
                "bebe templado o se usa para cocinar pescado, cerdo estofado y pollo borracho. "
                "Contiene alcohol (14 % vol.): algunos países limitan o gravan el alcohol en los "
                "envíos."
            ),
            "pt": (
                "Vinho amarelo cor de âmbar, feito com arroz glutinoso de forma tradicional. "
                "Bebe-se morno ou usa-se para cozinhar peixe, porco estufado e frango embriagado. "
                "Contém álcool (14% vol.): alguns países limitam ou tributam o álcool em "
                "encomendas."
            ),
            "fr": (
                "Vin jaune couleur d'ambre, brassé à partir de riz gluant selon la méthode "
                "traditionnelle. Il se boit tiède ou sert à cuisiner le poisson, le porc braisé et "
                "le poulet ivre. Contient de l'alcool (14 % vol.) : certains pays limitent ou "
                "taxent l'alcool dans les colis."
            ),
            "de": (
                "Bernsteinfarbener Gelbwein, traditionell aus Klebreis gebraut. Warm trinken oder "
                "zum Kochen von Fisch, geschmortem Schweinefleisch und „betrunkenem Huhn“ "
                "verwenden. Enthält Alkohol (14 % vol.): Manche Länder beschränken oder besteuern "
                "Alkohol in Paketen."
            ),
            "nl": (
                "Amberkleurige gele wijn, op traditionele wijze gebrouwen van kleefrijst. Lauw "
                "drinken of gebruiken voor vis, gestoofd varkensvlees en 'dronken kip'. Bevat "
                "alcohol (14% vol.): sommige landen beperken of belasten alcohol in pakketten."
            ),
        },
        "price_cny": 3500,
        "unit": "bottle",
        "unit_weight_g": 500,
        "hs_code": "220600",
        "restricted_countries": [],
    },
    {
        "slug": "stone-seal",
        "category": "stone-carving-gifts",
        "position": 1,
        "names": {
            "zh_Hans": "青田石印章（代刻姓名）",
            "zh_Hant": "青田石印章（代刻姓名）",
            "en": "Qingtian stone seal, carved with your name",
            "it": "Sigillo in pietra di Qingtian con il tuo nome",
            "es": "Sello de piedra de Qingtian con tu nombre",
            "pt": "Selo de pedra de Qingtian com o seu nome",
            "fr": "Sceau en pierre de Qingtian gravé à votre nom",
            "de": "Siegel aus Qingtian-Stein mit deinem Namen",
            "nl": "Zegel van Qingtian-steen met jouw naam",
        },
        "descriptions": {
            "zh_Hans": (
                "青田石是中国四大印章石之一，质地细腻温润。由本地篆刻师傅为您刻制中文姓名章，"
                "下单时请注明姓名。约2×2×6厘米。"
            ),
            "zh_Hant": (
                "青田石為中國四大印章石之一，質地細膩溫潤。由本地篆刻師傅為您刻製中文姓名章，"
                "下單時請註明姓名。約2×2×6公分。"
            ),
            "en": (
                "Qingtian stone is one of China's four famous seal stones, soft and fine-grained. "
                "A local seal carver engraves your name in Chinese characters; give the name with "
                "your order. About 2 × 2 × 6 cm."
            ),
            "it": (
                "La pietra di Qingtian è una delle quattro celebri pietre da sigillo della Cina, "
                "morbida e a grana fine. Un maestro incisore del posto incide il tuo nome in "
                "caratteri cinesi: indicalo quando ordini. Circa 2 × 2 × 6 cm."
            ),
            "es": (
                "La piedra de Qingtian es una de las cuatro famosas piedras para sellos de China, "
                "blanda y de grano fino. Un grabador local talla tu nombre en caracteres chinos: "
                "indícalo en el pedido. Unos 2 × 2 × 6 cm."
            ),
            "pt": (
                "A pedra de Qingtian é uma das quatro célebres pedras de selo da China, macia e de "
                "grão fino. Um mestre gravador local grava o seu nome em caracteres chineses: "
                "indique-o no pedido. Cerca de 2 × 2 × 6 cm."
            ),
            "fr": (
                "La pierre de Qingtian est l'une des quatre célèbres pierres à sceau de Chine, "
                "tendre et au grain fin. Un graveur local y grave votre nom en caractères chinois "
                ": indiquez-le dans la commande. Environ 2 × 2 × 6 cm."
            ),
            "de": (
                "Qingtian-Stein zählt zu den vier berühmten Siegelsteinen Chinas – weich und "
                "feinkörnig. Ein Siegelschneider vor Ort graviert deinen Namen in chinesischen "
                "Schriftzeichen; gib ihn einfach bei der Bestellung an. Ca. 2 × 2 × 6 cm."
            ),
            "nl": (
                "Qingtian-steen is een van de vier beroemde zegelstenen van China: zacht en "
                "fijnkorrelig. Een graveur uit de streek snijdt jouw naam in Chinese tekens; "
                "vermeld die bij je bestelling. Ca. 2 × 2 × 6 cm."
            ),
        },
        "price_cny": 26000,
        "unit": "piece",
        "unit_weight_g": 150,
        "hs_code": "680299",
        "restricted_countries": [],
    },
    {
        "slug": "small-stone-carving",
        "category": "stone-carving-gifts",
        "position": 2,
        "names": {
            "zh_Hans": "青田石雕小摆件",
            "zh_Hant": "青田石雕小擺件",
            "en": "Small Qingtian stone carving",
            "it": "Piccola scultura in pietra di Qingtian",
            "es": "Pequeña talla en piedra de Qingtian",
            "pt": "Pequena escultura em pedra de Qingtian",
            "fr": "Petite sculpture en pierre de Qingtian",
            "de": "Kleine Steinschnitzerei aus Qingtian",
            "nl": "Klein steensnijwerk uit Qingtian",
        },
        "descriptions": {
            "zh_Hans": (
                "手工雕刻的小摆件，依石色巧雕花果、动物，这种“依色取巧”正是国家级非物质文化遗产青田"
                "石雕的特色。每件独一无二，高约10厘米，附木座。"
            ),
            "zh_Hant": (
                "手工雕刻的小擺件，依石色巧雕花果、動物，這種「依色取巧」正是國家級無形文化資產青田"
                "石雕的特色。每件獨一無二，高約10公分，附木座。"
            ),
            "en": (
                "A hand-carved ornament: flowers, fruit or animals that follow the natural colours "
                "of the stone, the hallmark of Qingtian stone carving, a national intangible "
                "cultural heritage of China. Each piece is unique; about 10 cm tall, with a wooden "
                "stand."
            ),
            "it": (
                "Soprammobile scolpito a mano: fiori, frutti o animali che seguono i colori "
                "naturali della pietra, il tratto distintivo della scultura in pietra di Qingtian, "
                "patrimonio culturale immateriale nazionale della Cina. Ogni pezzo è unico; alto "
                "circa 10 cm, con base in legno."
            ),
            "es": (
                "Adorno tallado a mano: flores, frutas o animales que aprovechan los colores "
                "naturales de la piedra, el sello de la talla en piedra de Qingtian, patrimonio "
                "cultural inmaterial nacional de China. Cada pieza es única; unos 10 cm de alto, "
                "con peana de madera."
            ),
            "pt": (
                "Peça decorativa esculpida à mão: flores, frutos ou animais que aproveitam as "
                "cores naturais da pedra, a marca da escultura em pedra de Qingtian, património "
                "cultural imaterial nacional da China. Cada peça é única; cerca de 10 cm de "
                "altura, com base de madeira."
            ),
            "fr": (
                "Bibelot sculpté à la main : fleurs, fruits ou animaux épousant les couleurs "
                "naturelles de la pierre, signature de la sculpture sur pierre de Qingtian, "
                "patrimoine culturel immatériel national de Chine. Chaque pièce est unique ; "
                "environ 10 cm de haut, avec socle en bois."
            ),
            "de": (
                "Handgeschnitztes Zierstück: Blumen, Früchte oder Tiere, die den natürlichen "
                "Farben des Steins folgen – das Markenzeichen der Steinschnitzkunst von Qingtian, "
                "nationales immaterielles Kulturerbe Chinas. Jedes Stück ein Unikat; ca. 10 cm "
                "hoch, mit Holzsockel."
            ),
            "nl": (
                "Met de hand gesneden sierstuk: bloemen, vruchten of dieren die de natuurlijke "
                "kleuren van de steen volgen, het kenmerk van het steensnijwerk van Qingtian, "
                "nationaal immaterieel cultureel erfgoed van China. Elk stuk is uniek; ca. 10 cm "
                "hoog, met houten voet."
            ),
        },
        "price_cny": 58000,
        "unit": "piece",
        "unit_weight_g": 400,
        "hs_code": "680299",
        "restricted_countries": [],
    },
    {
        "slug": "stone-carving-gift-set",
        "category": "stone-carving-gifts",
        "position": 3,
        "names": {
            "zh_Hans": "青田石雕礼盒（印章、印泥、镇纸）",
            "zh_Hant": "青田石雕禮盒（印章、印泥、紙鎮）",
            "en": "Qingtian stone gift set: seal, seal paste, paperweight",
            "it": "Cofanetto regalo in pietra di Qingtian con sigillo",
            "es": "Estuche regalo de piedra de Qingtian con sello",
            "pt": "Estojo de oferta em pedra de Qingtian com selo",
            "fr": "Coffret cadeau en pierre de Qingtian avec sceau",
            "de": "Geschenkset aus Qingtian-Stein mit Siegel",
            "nl": "Cadeauset van Qingtian-steen met zegel",
        },
        "descriptions": {
            "zh_Hans": (
                "内含可代刻姓名的青田石印章一枚、红色印泥一盒及石雕镇纸一件，装于锦缎礼盒中。婚礼、"
                "寿辰或赠送商务伙伴皆宜。"
            ),
            "zh_Hant": (
                "內含可代刻姓名的青田石印章一枚、朱紅印泥一盒及石雕紙鎮一件，裝於錦緞禮盒中。婚禮、"
                "壽辰或致贈商務夥伴皆宜。"
            ),
            "en": (
                "A Qingtian stone seal carved with a name of your choice, a pot of red seal paste "
                "and a carved stone paperweight, in a silk-lined brocade box. A favourite gift for "
                "weddings, birthdays and business partners."
            ),
            "it": (
                "Un sigillo in pietra di Qingtian con il nome che preferisci, un vasetto di pasta "
                "rossa per sigilli e un fermacarte in pietra scolpita, in una scatola di broccato "
                "foderata di seta. Un regalo molto amato per matrimoni, compleanni e partner "
                "d'affari."
            ),
            "es": (
                "Un sello de piedra de Qingtian con el nombre que elijas, un tarro de pasta roja "
                "para sellos y un pisapapeles de piedra tallada, en una caja de brocado forrada de "
                "seda. Un regalo muy apreciado para bodas, cumpleaños y socios de negocios."
            ),
            "pt": (
                "Um selo em pedra de Qingtian com o nome que escolher, um boião de pasta vermelha "
                "para selos e um pisa-papéis em pedra esculpida, numa caixa de brocado forrada a "
                "seda. Um presente muito apreciado para casamentos, aniversários e parceiros de "
                "negócios."
            ),
            "fr": (
                "Un sceau en pierre de Qingtian gravé au nom de votre choix, un pot de pâte à "
                "sceau rouge et un presse-papiers en pierre sculptée, dans un coffret en brocart "
                "doublé de soie. Un cadeau apprécié pour les mariages, les anniversaires et les "
                "partenaires d'affaires."
            ),
            "de": (
                "Ein Siegel aus Qingtian-Stein mit einem Namen deiner Wahl, ein Döschen rote "
                "Siegelpaste und ein geschnitzter Briefbeschwerer aus Stein in einer mit Seide "
                "ausgeschlagenen Brokatschachtel. Ein beliebtes Geschenk zu Hochzeiten, "
                "Geburtstagen und für Geschäftspartner."
            ),
            "nl": (
                "Een zegel van Qingtian-steen met een naam naar keuze, een potje rode zegelpasta "
                "en een gesneden stenen presse-papier, in een met zijde beklede brokaatdoos. Een "
                "geliefd geschenk voor bruiloften, verjaardagen en zakenpartners."
            ),
        },
        "price_cny": 88000,
        "unit": "set",
        "unit_weight_g": 800,
        "hs_code": "680299",
        "restricted_countries": [],
    },
    {
        "slug": "tea-oil-gift-box",
        "category": "stone-carving-gifts",
        "position": 4,
        "names": {
            "zh_Hans": "茶油礼盒（绿茶+山茶油）",
            "zh_Hant": "茶油禮盒（綠茶＋苦茶油）",
            "en": "Tea & Oil gift box",
            "it": "Confezione regalo tè e olio di camelia",
            "es": "Caja regalo de té y aceite de camelia",
            "pt": "Caixa de oferta com chá e óleo de camélia",
            "fr": "Coffret cadeau thé et huile de camélia",
            "de": "Geschenkbox Tee und Kamelienöl",
            "nl": "Cadeaudoos thee en cameliaolie",
        },
        "descriptions": {
            "zh_Hans": (
                "青田高山绿茶（100克罐装）与丽水山茶油（500毫升）组合礼盒，把家乡山里的两种味道送给"
                "亲友。"
            ),
            "zh_Hant": (
                "青田高山綠茶（100公克罐裝）與麗水山茶油（500毫升）組合禮盒，"
                "把家鄉山裡的兩種味道送給親友。"
            ),
            "en": (
                "Qingtian mountain green tea (100 g tin) and Lishui camellia seed oil (500 ml) in "
                "one gift box: two flavours of the home mountains for family and friends."
            ),
            "it": (
                "Tè verde di montagna di Qingtian (latta da 100 g) e olio di semi di camelia di "
                "Lishui (500 ml) in una confezione regalo: due sapori delle montagne di casa per "
                "parenti e amici."
            ),
            "es": (
                "Té verde de montaña de Qingtian (lata de 100 g) y aceite de semilla de camelia de "
                "Lishui (500 ml) en una caja regalo: dos sabores de las montañas de casa para "
                "familia y amigos."
            ),
            "pt": (
                "Chá verde de montanha de Qingtian (lata de 100 g) e óleo de semente de camélia de "
                "Lishui (500 ml) numa caixa de oferta: dois sabores das montanhas de casa para a "
                "família e os amigos."
            ),
            "fr": (
                "Thé vert des montagnes de Qingtian (boîte de 100 g) et huile de graines de "
                "camélia de Lishui (500 ml) dans un coffret cadeau : deux saveurs des montagnes du "
                "pays à offrir à la famille et aux amis."
            ),
            "de": (
                "Grüner Bergtee aus Qingtian (100-g-Dose) und Kamelienöl aus Lishui (500 ml) in "
                "einer Geschenkbox: zwei Aromen aus den Bergen der Heimat für Familie und Freunde."
            ),
            "nl": (
                "Groene bergthee uit Qingtian (blik van 100 g) en cameliaolie uit Lishui (500 ml) "
                "in een cadeaudoos: twee smaken uit de bergen van thuis voor familie en vrienden."
            ),
        },
        "price_cny": 26800,
        "unit": "box",
        "unit_weight_g": 600,
        "hs_code": "090210",
        "restricted_countries": [],
    },
    {
        "slug": "iberian-ham-sliced",
        "category": "european-food",
        "position": 1,
        "names": {
            "zh_Hans": "伊比利亚火腿切片 100克（青田分切）",
            "zh_Hant": "伊比利火腿切片 100公克（青田分切）",
            "en": "Iberian ham, sliced in Qingtian, 100 g",
            "it": "Prosciutto iberico affettato a Qingtian, 100 g",
            "es": "Jamón ibérico loncheado en Qingtian, 100 g",
            "pt": "Presunto ibérico fatiado em Qingtian, 100 g",
            "fr": "Jambon ibérique tranché à Qingtian, 100 g",
            "de": "Ibérico-Schinken, in Qingtian geschnitten, 100 g",
            "nl": "Iberische ham, gesneden in Qingtian, 100 g",
        },
        "descriptions": {
            "zh_Hans": (
                "整只进口的西班牙伊比利亚火腿，在青田手工切片，是“欧洲食品·青田制造”的代表产品。"
                "肉制品不可寄往欧盟、英国、瑞士、挪威、巴西和美国。"
            ),
            "zh_Hant": (
                "整隻進口的西班牙伊比利火腿，在青田手工切片，是「歐洲食品·青田製造」的代表產品。"
                "肉製品不可寄往歐盟、英國、瑞士、挪威、巴西及美國。"
            ),
            "en": (
                "Spanish Iberian ham imported whole and hand-sliced in Qingtian, a flagship of the "
                "“European food, made in Qingtian” initiative. Meat product: not shipped to "
                "the EU, UK, Switzerland, Norway, Brazil or the US."
            ),
            "it": (
                "Prosciutto iberico spagnolo importato intero e affettato a mano a Qingtian, "
                "prodotto di punta dell'iniziativa «Cibo europeo fatto a Qingtian». Prodotto a "
                "base di carne: non può essere spedito nell'UE, nel Regno Unito, in Svizzera, in "
                "Norvegia, in Brasile né negli Stati Uniti."
            ),
            "es": (
                "Jamón ibérico español importado entero y loncheado a mano en Qingtian, producto "
                "estrella de la iniciativa «Comida europea, hecha en Qingtian». Producto cárnico: "
                "no se envía a la UE, Reino Unido, Suiza, Noruega, Brasil ni Estados Unidos."
            ),
            "pt": (
                "Presunto ibérico espanhol importado inteiro e fatiado à mão em Qingtian, produto "
                "de referência da iniciativa «Comida europeia, feita em Qingtian». Produto de "
                "carne: não pode ser enviado para a UE, o Reino Unido, a Suíça, a Noruega, o Brasil "
                "nem os Estados Unidos."
            ),
            "fr": (
                "Jambon ibérique espagnol importé entier et tranché à la main à Qingtian, produit "
                "phare de l'initiative « Produits européens, fabriqués à Qingtian ». Produit carné "
                ": ne peut pas être expédié vers l'UE, le Royaume-Uni, la Suisse, la Norvège, le "
                "Brésil ni les États-Unis."
            ),
            "de": (
                "Spanischer Ibérico-Schinken, am Stück importiert und in Qingtian von Hand "
                "geschnitten – Aushängeschild der Initiative „Europäische Lebensmittel aus "
                "Qingtian“. Fleischprodukt: kein Versand in die EU, nach "
                "Großbritannien, in die Schweiz, nach Norwegen, Brasilien oder in die USA."
            ),
            "nl": (
                "Spaanse Iberische ham, in zijn geheel geïmporteerd en in Qingtian met de hand "
                "gesneden, een paradepaardje van het initiatief 'Europees eten, gemaakt in "
                "Qingtian'. Vleesproduct: geen verzending naar de EU, het VK, Zwitserland, "
                "Noorwegen, Brazilië of de VS."
            ),
        },
        "price_cny": 6800,
        "unit": "pack",
        "unit_weight_g": 100,
        "hs_code": "021019",
        "restricted_countries": [*_NO_MEAT],
    },
    {
        "slug": "salami",
        "category": "european-food",
        "position": 2,
        "names": {
            "zh_Hans": "意式萨拉米香肠 200克（青田制造）",
            "zh_Hant": "義式薩拉米香腸 200公克（青田製造）",
            "en": "Salami, made in Qingtian, 200 g",
            "it": "Salame prodotto a Qingtian, 200 g",
            "es": "Salami elaborado en Qingtian, 200 g",
            "pt": "Salame feito em Qingtian, 200 g",
            "fr": "Salami fabriqué à Qingtian, 200 g",
            "de": "Salami aus Qingtian, 200 g",
            "nl": "Salami uit Qingtian, 200 g",
        },
        "descriptions": {
            "zh_Hans": (
                "在青田按意大利配方制作的猪肉萨拉米，以大蒜和黑胡椒调味，风干数周。"
                "肉制品不可寄往欧盟、英国、瑞士、挪威、巴西和美国。"
            ),
            "zh_Hant": (
                "在青田依義大利配方製作的豬肉薩拉米，以大蒜和黑胡椒調味，風乾數週。"
                "肉製品不可寄往歐盟、英國、瑞士、挪威、巴西及美國。"
            ),
            "en": (
                "Pork salami made in Qingtian to an Italian recipe, seasoned with garlic and black "
                "pepper and air-dried for several weeks. Meat product: not shipped to the EU, UK, "
                "Switzerland, Norway, Brazil or the US."
            ),
            "it": (
                "Salame di maiale prodotto a Qingtian secondo una ricetta italiana, insaporito con "
                "aglio e pepe nero e stagionato per alcune settimane. Prodotto a base di carne: "
                "non può essere spedito nell'UE, nel Regno Unito, in Svizzera, in Norvegia, in "
                "Brasile né negli Stati Uniti."
            ),
            "es": (
                "Salami de cerdo elaborado en Qingtian según una receta italiana, aderezado con "
                "ajo y pimienta negra y curado durante varias semanas. Producto cárnico: no se "
                "envía a la UE, Reino Unido, Suiza, Noruega, Brasil ni Estados Unidos."
            ),
            "pt": (
                "Salame de porco feito em Qingtian segundo uma receita italiana, temperado com alho "
                "e pimenta-preta e curado durante várias semanas. Produto de carne: não pode ser "
                "enviado para a UE, o Reino Unido, a Suíça, a Noruega, o Brasil nem os Estados "
                "Unidos."
            ),
            "fr": (
                "Salami de porc fabriqué à Qingtian selon une recette italienne, relevé d'ail et "
                "de poivre noir et séché plusieurs semaines. Produit carné : ne peut pas être "
                "expédié vers l'UE, le Royaume-Uni, la Suisse, la Norvège, le Brésil ni les "
                "États-Unis."
            ),
            "de": (
                "Schweinesalami, in Qingtian nach italienischem Rezept hergestellt, mit Knoblauch "
                "und schwarzem Pfeffer gewürzt und mehrere Wochen luftgetrocknet. Fleischprodukt: "
                "kein Versand in die EU, nach Großbritannien, in die Schweiz, nach Norwegen, "
                "Brasilien oder in die USA."
            ),
            "nl": (
                "Varkenssalami, in Qingtian gemaakt volgens een Italiaans recept, gekruid met "
                "knoflook en zwarte peper en enkele weken gedroogd. Vleesproduct: geen verzending "
                "naar de EU, het VK, Zwitserland, Noorwegen, Brazilië of de VS."
            ),
        },
        "price_cny": 4500,
        "unit": "piece",
        "unit_weight_g": 200,
        "hs_code": "160100",
        "restricted_countries": [*_NO_MEAT],
    },
    {
        "slug": "angus-beef-jerky",
        "category": "european-food",
        "position": 3,
        "names": {
            "zh_Hans": "安格斯牛肉干 100克",
            "zh_Hant": "安格斯牛肉乾 100公克",
            "en": "Angus beef jerky, 100 g",
            "it": "Carne secca di manzo Angus, 100 g",
            "es": "Carne seca de ternera Angus, 100 g",
            "pt": "Carne seca de vaca Angus, 100 g",
            "fr": "Bœuf séché Angus (jerky), 100 g",
            "de": "Angus-Rindfleisch-Jerky, 100 g",
            "nl": "Angus-beefjerky, 100 g",
        },
        "descriptions": {
            "zh_Hans": (
                "安格斯牛肉切条，以酱油和香料腌制后在青田慢慢烘干，咸甜适口，富含蛋白质。"
                "肉制品不可寄往欧盟、英国、瑞士、挪威、巴西和美国。"
            ),
            "zh_Hant": (
                "安格斯牛肉切條，以醬油和香料醃製後在青田慢慢烘乾，鹹甜適口，富含蛋白質。"
                "肉製品不可寄往歐盟、英國、瑞士、挪威、巴西及美國。"
            ),
            "en": (
                "Strips of Angus beef marinated in soy sauce and spices and slowly dried in "
                "Qingtian: tender, savoury-sweet and high in protein. Meat product: not shipped to "
                "the EU, UK, Switzerland, Norway, Brazil or the US."
            ),
            "it": (
                "Strisce di manzo Angus marinate con salsa di soia e spezie ed essiccate "
                "lentamente a Qingtian: tenere, sapide e leggermente dolci, ricche di proteine. "
                "Prodotto a base di carne: non può essere spedito nell'UE, nel Regno Unito, in "
                "Svizzera, in Norvegia, in Brasile né negli Stati Uniti."
            ),
            "es": (
                "Tiras de ternera Angus marinadas con salsa de soja y especias y secadas "
                "lentamente en Qingtian: tiernas, sabrosas y algo dulces, ricas en proteínas. "
                "Producto cárnico: no se envía a la UE, Reino Unido, Suiza, Noruega, Brasil ni "
                "Estados Unidos."
            ),
            "pt": (
                "Tiras de carne de vaca Angus marinadas em molho de soja e especiarias e secas "
                "lentamente em Qingtian: macias, saborosas e levemente doces, ricas em proteína. "
                "Produto de carne: não pode ser enviado para a UE, o Reino Unido, a Suíça, a "
                "Noruega, o Brasil nem os Estados Unidos."
            ),
            "fr": (
                "Lanières de bœuf Angus marinées à la sauce soja et aux épices, puis séchées "
                "lentement à Qingtian : tendres, savoureuses et légèrement sucrées, riches en "
                "protéines. Produit carné : ne peut pas être expédié vers l'UE, le Royaume-Uni, la "
                "Suisse, la Norvège, le Brésil ni les États-Unis."
            ),
            "de": (
                "Streifen vom Angus-Rind, mit Sojasauce und Gewürzen mariniert und in Qingtian "
                "langsam getrocknet: zart, würzig-süß und eiweißreich. Fleischprodukt: kein "
                "Versand in die EU, nach Großbritannien, in die Schweiz, nach Norwegen, Brasilien "
                "oder in die USA."
            ),
            "nl": (
                "Reepjes Angus-rundvlees, gemarineerd in sojasaus en specerijen en in Qingtian "
                "langzaam gedroogd: mals, hartig-zoet en rijk aan eiwit. Vleesproduct: geen "
                "verzending naar de EU, het VK, Zwitserland, Noorwegen, Brazilië of de VS."
            ),
        },
        "price_cny": 3900,
        "unit": "pack",
        "unit_weight_g": 100,
        "hs_code": "160250",
        "restricted_countries": [*_NO_MEAT],
    },
]

# Units of each currency per 1 CNY (decimal strings; approximate late-2026 mid-market rates).
EXCHANGE_RATES: dict[str, str] = {
    "EUR": "0.1280",
    "USD": "0.1390",
    "GBP": "0.1090",
    "CHF": "0.1220",
    "HUF": "50.30",
    "BRL": "0.7600",
    "SEK": "1.4340",
    "PLN": "0.5440",
    "CZK": "3.1740",
    "RON": "0.6400",
    "DKK": "0.9550",
    "NOK": "1.4850",
    "CAD": "0.1920",
    "AUD": "0.2110",
    "JPY": "20.85",
}


def _check() -> None:
    """Assert the invariants the bot relies on; return nothing, raise AssertionError on failure."""
    import re
    from collections import Counter
    from decimal import Decimal

    def check_locales(where: str, d: dict, limit: int | None = None) -> None:
        assert tuple(d) == LOCALES, f"{where}: locales {tuple(d)}"
        for loc, text in d.items():
            assert isinstance(text, str) and text.strip() == text and text, f"{where}/{loc}"
            assert "<" not in text and ">" not in text, f"{where}/{loc}: HTML?"
            if limit is not None:
                assert len(text) <= limit, f"{where}/{loc}: {len(text)} > {limit} chars"

    # A size in a text: "5 kg", "10-kg-Sack", "1,9 L", "500 ml", "500公克", "1.9升", "500毫升".
    latin_size = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)[ -]?(kg|g|ml|L)(?!\w)")
    cjk_size = re.compile(r"(\d+(?:\.\d+)?)\s*(公斤|千克|公克|毫升|公升|克|升)")
    factor = {"kg": 1000, "公斤": 1000, "千克": 1000, "g": 1, "公克": 1, "克": 1}
    factor |= {"L": 1000, "公升": 1000, "升": 1000, "ml": 1, "毫升": 1}
    volumes = {"L", "公升", "升", "ml", "毫升"}
    # HS codes of goods that are liquids whatever the name says: beverages (chapter 22), soy
    # sauce, and the liquid vegetable oils (olive, rape, sunflower, other fixed oils: camellia).
    liquid_hs = ("22", "210310", "1509", "1510", "1512", "1514", "1515")

    def sizes(text: str) -> list[tuple[Decimal, bool]]:
        """Every size stated in the text, as (grams or ml, is it a volume?)."""
        found = []
        for rx in (latin_size, cjk_size):
            for m in rx.finditer(text):
                amount = Decimal(m.group(1).replace(",", ".")) * factor[m.group(2)]
                found.append((amount, m.group(2) in volumes))
        return found

    def check_quantities() -> None:
        """The liquids rule and the other self-contradictions of a product's quantity."""
        for p in PRODUCTS:
            slug, qty = p["slug"], p["unit_weight_g"]
            stated = {loc: sizes(p["names"][loc]) for loc in LOCALES}
            assert all(len(v) <= 1 for v in stated.values()), f"{slug}: several sizes in a name"
            said = {v[0] for v in stated.values() if v}
            if said:
                missing = [loc for loc, v in stated.items() if not v]
                assert not missing, f"{slug}: names {missing} do not state the size"
                assert len(said) == 1, f"{slug}: the names disagree on the size: {said}"
                ((amount, is_volume),) = said
                what = f"{amount.normalize():f} {'ml' if is_volume else 'g'}"
                assert amount == qty, f"{slug}: the names say {what} but unit_weight_g is {qty}" + (
                    " (a liquid counts its volume in ml, not grams)" if is_volume else ""
                )
            is_liquid = any(is_volume for _, is_volume in said)
            if p["unit"] == "bottle":
                assert is_liquid, f"{slug}: a bottle must state its volume (ml/L) in the names"
            if p["hs_code"].startswith(liquid_hs):
                assert is_liquid, f"{slug}: HS {p['hs_code']} is a liquid: state its volume"
            if not said:
                # Several contents listed in parentheses, e.g. "(100 g tin) … (500 ml)": the
                # unit's quantity is their sum, liquids in ml; every locale lists the same.
                contents = {}
                for loc, text in p["descriptions"].items():
                    inner = " ".join(re.findall(r"[(（]([^()（）]*)[)）]", text))
                    contents[loc] = sorted(sizes(inner))
                listed = {tuple(c) for c in contents.values()}
                assert len(listed) == 1, f"{slug}: the descriptions list different contents"
                (items,) = listed
                if items:
                    total = sum(amount for amount, _ in items)
                    assert total == qty, (
                        f"{slug}: the contents add up to {total} (liquids in ml), "
                        f"but unit_weight_g is {qty}"
                    )
            # A closing sentence "5 kg sack." of the English description: the unit and its size.
            m = re.search(r"(?:^|\. )(\d+(?:\.\d+)?) (kg|g|ml|L) (\w+)\.$", p["descriptions"]["en"])
            if m and m.group(3) in _UNITS:
                assert m.group(3) == p["unit"], (
                    f"{slug}: sold per {p['unit']}, described as a {m.group(3)}"
                )
                amount = Decimal(m.group(1)) * factor[m.group(2)]
                assert amount == qty, (
                    f"{slug}: the description says {m.group(0).strip('. ')}, not {qty}"
                )

    assert len(EU) == len(set(EU)) == 27
    cat_slugs = [c["slug"] for c in CATEGORIES]
    assert len(cat_slugs) == len(set(cat_slugs)), "duplicate category slug"
    for c in CATEGORIES:
        assert set(c) == {"slug", "emoji", "position", "names"}, c["slug"]
        assert c["emoji"] and len(c["emoji"]) <= 8
        check_locales(f"category {c['slug']}", c["names"], 60)

    keys = {
        "slug",
        "category",
        "position",
        "names",
        "descriptions",
        "price_cny",
        "unit",
        "unit_weight_g",
        "hs_code",
        "restricted_countries",
    }
    slugs = [p["slug"] for p in PRODUCTS]
    assert len(slugs) == len(set(slugs)), "duplicate product slug"
    for p in PRODUCTS:
        slug = p["slug"]
        assert set(p) == keys, f"{slug}: keys {set(p) ^ keys}"
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug
        assert p["category"] in cat_slugs, f"{slug}: unknown category {p['category']}"
        check_locales(f"{slug} names", p["names"], 60)
        check_locales(f"{slug} descriptions", p["descriptions"])
        assert type(p["price_cny"]) is int and p["price_cny"] > 0, slug
        assert p["unit"] in _UNITS, f"{slug}: unit {p['unit']}"
        assert type(p["unit_weight_g"]) is int and p["unit_weight_g"] > 0, slug
        assert re.fullmatch(r"\d{6,10}", p["hs_code"]), f"{slug}: hs_code {p['hs_code']}"
        rc = p["restricted_countries"]
        assert isinstance(rc, list) and len(rc) == len(set(rc)), slug
        assert all(re.fullmatch(r"[A-Z]{2}", code) for code in rc), slug
        assert type(p["position"]) is int and p["position"] > 0, slug
    check_quantities()
    positions = Counter((p["category"], p["position"]) for p in PRODUCTS)
    assert max(positions.values()) == 1, "duplicate position within a category"
    amp = [p["slug"] for p in PRODUCTS for text in p["names"].values() if "&" in text]
    assert len(amp) == 1, f"expected exactly one name with '&', got {amp}"

    per_cat = Counter(p["category"] for p in PRODUCTS)
    assert set(per_cat) == set(cat_slugs), "a category has no products"
    assert min(per_cat.values()) >= 2 and max(per_cat.values()) >= 7, per_cat

    for cur, rate in EXCHANGE_RATES.items():
        assert re.fullmatch(r"[A-Z]{3}", cur) and Decimal(rate) > 0, cur

    print(
        f"OK: {len(LOCALES)} locales, {len(CATEGORIES)} categories, {len(PRODUCTS)} products, "
        f"{len(EXCHANGE_RATES)} exchange rates"
    )
    for c in CATEGORIES:
        print(f"  {c['position']}. {c['slug']}: {per_cat[c['slug']]} products")
    restricted = sum(1 for p in PRODUCTS if p["restricted_countries"])
    print(f"  {restricted} products with shipping restrictions")


if __name__ == "__main__":
    _check()
