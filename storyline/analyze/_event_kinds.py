"""The inventory of event kinds ``events`` recognises, with their triggers in each language.

Kinds follow the ACE 2005 event types (Doddington et al. 2004; the LDC's "ACE English Annotation
Guidelines for Events" 5.4.3) and, where ACE has no class for what news monitoring follows, the
CAMEO verb codebook (Gerner et al. 2002; 1.1b3) or, for natural and technical disasters, which
neither has, the event types of WEC (Eirew et al. 2021: "Earthquake", "Flood", "Wildfire",
"Airliner Accident"). ``docs/events.md`` lists them with their classes and examples.

Triggers are lemmas, matched against the lemma of each word (``models/event_forms.json`` maps
every inflected form of these lemmas to them; ``scripts/build_event_forms.py`` makes it from
simplemma's dictionaries and pymorphy2's paradigms). Never prefixes: "Brandenburg" is no fire.
German compounds count by their head, the last part ("Waldbrand" is a "Brand").

Entry syntax, entries separated by ";":

- ``lemma``: one word; ``lemma lemma``: consecutive words ("open fire", "step down");
- ``=form``: the word exactly as written, lower-cased, where the lemma would say too much
  ("=talks" is a meeting, "talk" is not);
- ``lemma [group]``: only with a word of ``group`` (below) in the same sentence ("sign" an
  [agreement], "launch" a [rocket], "strike" with [labour] words);
- ``lemma @object``: only with a person, organisation or role named in the few words after it
  ("fired his finance minister" is a dismissal, "fired rockets" is not);
- ``lemma !group``: not when a word of ``group`` comes in the three words after it ("met the
  deadline" is no meeting; "fire" followed by a determiner is the verb, not a blaze).

Agent nouns count as mentions of their kind ("negotiators", "protesters", "strikers"): the people
they introduce take part in it ("the team of negotiators will be led by X").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES = ("en", "fr", "de", "es", "ru")


@dataclass(frozen=True)
class Kind:
    name: str
    taxonomy: str  # the class it stands for in the taxonomy it comes from
    directed: bool  # acts on someone: participants after the trigger are "whom"
    triggers: Mapping[str, str]  # language -> entries (see the module docstring)


KINDS: tuple[Kind, ...] = (
    # -- Contact ---------------------------------------------------------------------------------
    Kind("meeting", "ACE Contact:Meet", False, {
        "en": "meet !goal; meeting; =talks; negotiation; negotiate; negotiator; consultation; convene; =discussions; conference",
        "fr": "rencontrer; rencontre; réunion; se réunir; =réunis; =réunies; conférence; entretien; =pourparlers; négociation; négocier; négociateur; =consultations; =discussions",
        "de": "treffen !goal; =gespräche; verhandlung [talks_de]; verhandeln; unterhändler; =konsultationen; zusammenkommen; =beratungen; konferenz",
        "es": "reunión; reunir; reunirse; encuentro; =conversaciones; negociación; negociar; negociador; =consultas; entrevistarse; conferencia",
        "ru": "встреча; встретиться; встречаться; переговорщик; конференция; =переговоры; =переговорах; =переговоров; =переговорам; =переговорами; "
              "консультация; провести переговоры",
    }),
    Kind("summit", "ACE Contact:Meet (a meeting of leaders)", False, {
        "en": "summit", "fr": "sommet", "de": "gipfel; gipfeltreffen", "es": "cumbre", "ru": "саммит",
    }),
    Kind("visit", "ACE Movement:Transport; CAMEO 042-043 make / host a visit", True, {
        "en": "visit", "fr": "visite; visiter; =rendu visite", "de": "besuch; besuchen", "es": "visita; visitar",
        "ru": "визит; посетить; посещение",
    }),
    # -- Conflict --------------------------------------------------------------------------------
    Kind("attack", "ACE Conflict:Attack; CAMEO 18-20", True, {
        "en": "attack; assault; bombing; bomb; blast [bomb]; explosion [bomb]; shoot; gun down; assassination; assassinate; airstrike; air strike; missile strike; drone strike; shelling; shooting; "
              "gunfire; open fire; massacre; ambush; stabbing; invade; invasion; offensive [military]",
        "fr": "explosion [bomb]; attaque; attaquer; attentat; bombardement; bombarder; =frappe [military]; =frappes [military]; frappe aérienne; tirer sur; fusillade; assaut; massacre; tuerie; "
              "embuscade; invasion; envahir; ouvrir le feu; offensive [military]",
        "de": "explosion [bomb]; angriff; angreifen; anschlag; bombardierung; bombardieren; beschuss; beschießen; schießerei; erschießen; niederschießen; massaker; "
              "überfall; überfallen; invasion; einmarsch; amoklauf; offensive [military]",
        "es": "explosión [bomb]; ataque; atacar; atentado; bombardeo; bombardear; tiroteo; balacera; disparar [victim]; =balazos; masacre; emboscada; asalto; invasión; invadir; "
              "abrir fuego; ofensiva [military]",
        "ru": "взрыв [bomb]; атака; атаковать; нападение; напасть; теракт; застрелить; обстрел; обстрелять; бомбардировка; бомбить; удар [military]; "
              "стрельба; расстрел; вторжение; открыть огонь; штурм; наступление [military]",
    }),
    Kind("protest", "ACE Conflict:Demonstrate; CAMEO 14", False, {
        "en": "protest; demonstration [protest_en]; demonstrate [protest_en]; demonstrator; protester; protestor; rally [protest_en]; riot",
        "fr": "manifestation; manifester; manifestant; protestation; protester; rassemblement [protest_fr]; émeute",
        "de": "protest; protestieren; demonstration; demonstrieren; demonstrant; kundgebung; krawall; =ausschreitungen",
        "es": "protesta; protestar; manifestación; manifestante; manifestarse; disturbio; =disturbios; movilización",
        "ru": "протест; протестовать; митинг; демонстрация [protest_ru]; манифестация; =беспорядки; =беспорядков; акция протеста",
    }),
    Kind("strike", "CAMEO 143 conduct strike or boycott", False, {
        "en": "strike [labour]; on strike; walkout; stoppage [labour]",
        "fr": "grève; gréviste; débrayage",
        "de": "streik; streiken; arbeitsniederlegung; ausstand",
        "es": "huelga; huelguista; paro [labour]; medidas de fuerza",
        "ru": "забастовка; бастовать; стачка",
    }),
    # -- Disasters (no ACE or CAMEO class; WEC's event types) -------------------------------------
    Kind("earthquake", "disaster: WEC Earthquake", False, {
        "en": "earthquake; quake; tremor; aftershock",
        "fr": "séisme; tremblement de terre; =secousse [seismic]; réplique [seismic]",
        "de": "erdbeben; beben; nachbeben",
        "es": "sismo; terremoto; temblor; =réplica [seismic]",
        "ru": "землетрясение; =толчок [seismic]; =толчки [seismic]; афтершок",
    }),
    Kind("flood", "disaster: WEC Flood", False, {
        "en": "flood; flooding; floodwater; deluge; inundate",
        "fr": "inondation; inonder; crue",
        "de": "hochwasser; überschwemmung; überschwemmen; überfluten; überflutung; sturzflut",
        "es": "inundación; inundar; riada; crecida; desbordamiento",
        "ru": "наводнение; паводок; затопить; затопление; потоп",
    }),
    Kind("storm", "disaster: WEC (hurricanes, typhoons, storms)", False, {
        "en": "hurricane; typhoon; cyclone; storm; tornado; blizzard",
        "fr": "ouragan; typhon; cyclone; tempête; tornade",
        "de": "hurrikan; taifun; zyklon; sturm; orkan; tornado; unwetter",
        "es": "huracán; tifón; ciclón; tormenta; tornado; temporal [weather]",
        "ru": "ураган; тайфун; циклон; шторм; буря; торнадо; смерч",
    }),
    Kind("fire", "disaster: WEC Wildfire", False, {
        "en": "wildfire; bushfire; blaze; =fire !det; =fires !det; forest fire; inferno; burn down; arson; arsonist; =burned [building]; =burnt [building]",
        "fr": "incendie; incendier; feu de forêt; =feux de forêt; incendiaire",
        "de": "brand; waldbrand; großbrand; feuer !det; brandstiftung; niederbrennen; abbrennen",
        "es": "incendio; incendiar; incendio forestal; =calcinado; =calcinada",
        "ru": "пожар; возгорание; лесной пожар; поджог; сгореть",
    }),
    Kind("accident", "disaster: WEC Airliner Accident (and other accidents)", False, {
        "en": "crash; accident; collision; collide; derailment; derail; capsize; shipwreck; explosion; explode; blast; hit-and-run; hit and run",
        "fr": "accident; collision; déraillement; dérailler; explosion; exploser; =crash; écrasement; écraser [vehicle]; naufrage",
        "de": "unfall; absturz; abstürzen; zusammenstoß; kollision; explosion; explodieren; entgleisung; entgleisen",
        "es": "accidente; choque; colisión; chocar; estrellarse; estrellar; siniestro [vehicle]; explosión; explotar; "
              "descarrilamiento; naufragio",
        "ru": "авария; катастрофа; крушение; столкновение; взрыв; взорваться; разбиться; сойти с рельсов",
    }),
    # -- Life ------------------------------------------------------------------------------------
    Kind("death", "ACE Life:Die", True, {
        "en": "die; death; kill; killing; =dead; fatality; murder; homicide; slay; =slaying; manslaughter; suicide",
        "fr": "mourir; =mort; =morts; décès; décéder; tuer; périr; meurtre; homicide; assassinat; assassiner; suicide",
        "de": "sterben; tod; =tote; =toten; töten; umkommen; ums leben; mord; ermorden; tötung; totschlag; suizid; selbstmord",
        "es": "morir; muerte; fallecer; fallecimiento; matar; =muertos; =muerto; asesinato; asesinar; homicidio; suicidio",
        "ru": "умереть; погибнуть; смерть; гибель; убить; скончаться; погибший; убийство; самоубийство",
    }),
    # -- Personnel -------------------------------------------------------------------------------
    Kind("resignation", "ACE Personnel:End-Position (leaving)", False, {
        "en": "resign; resignation; step down; =quits; =quit [office]",
        "fr": "démissionner; démission",
        "de": "zurücktreten; rücktritt; abdanken",
        "es": "dimitir; dimisión; renunciar [office]; renuncia [office]",
        "ru": "уйти в отставку; подать в отставку; =отставке; =отставку [resign_ru]",
    }),
    Kind("dismissal", "ACE Personnel:End-Position (removed)", True, {
        "en": "fire @object !weapon; sack @object; dismiss @object; oust; depose; remove from office; relieve [office]; =let go [office]",
        "fr": "limoger; limogeage; révoquer; révocation; destituer; destitution; congédier",
        "de": "entlassen @object; entlassung; absetzen @object; absetzung; feuern @object; abberufen",
        "es": "destituir; destitución; cesar @object; despedir @object; despido",
        "ru": "уволить; увольнение; снять с должности; отправить в отставку; отстранить",
    }),
    Kind("appointment", "ACE Personnel:Start-Position, Personnel:Nominate", True, {
        "en": "appoint; appointment; nominate; nomination; sworn in; take office; inauguration; inaugurate; hire @object",
        "fr": "nommer; nomination; désigner; prêter serment; investiture",
        "de": "ernennen; ernennung; nominieren; nominierung; vereidigen; vereidigung; amtsantritt",
        "es": "nombrar; nombramiento; designar; designación; investidura; tomar posesión",
        "ru": "назначить; назначение; инаугурация; вступить в должность",
    }),
    Kind("election", "ACE Personnel:Elect", False, {
        "en": "election; elect; vote; ballot; referendum; runoff",
        "fr": "élection; élire; scrutin; vote; voter; référendum; présidentielle; =législatives",
        "de": "wahl; wählen; abstimmung; abstimmen; referendum; stichwahl",
        "es": "elección; elegir; votación; votar; =comicios; referéndum",
        "ru": "=выборы; =выборов; =выборах; =выборам; избрать; голосование; голосовать; референдум",
    }),
    # -- Justice ---------------------------------------------------------------------------------
    Kind("arrest", "ACE Justice:Arrest-Jail", True, {
        "en": "arrest; detain; detention; apprehend; taken into custody",
        "fr": "arrestation; =arrêté [police]; =arrêtés [police]; interpeller; interpellation; garde à vue; écrouer; incarcérer",
        "de": "festnehmen; festnahme; verhaften; verhaftung; inhaftieren; inhaftierung",
        "es": "detener; detención; arrestar; arresto; =capturado; =capturados; =detenido; =detenida; =detenidos; =detenidas",
        "ru": "задержать; задержание; арестовать; арест; взять под стражу",
    }),
    Kind("release", "ACE Justice:Release-Parole; CAMEO 0841 release persons", True, {
        "en": "release @object [captive]; =freed; set free; parole",
        "fr": "libérer [captive]; libération [captive]; relâcher; remettre en liberté",
        "de": "freilassen; freilassung; freikommen; entlassen [captive]",
        "es": "liberar [captive]; liberación [captive]; excarcelar; poner en libertad",
        "ru": "освободить [captive]; освобождение [captive]; отпустить [captive]",
    }),
    Kind("exchange", "CAMEO 0841 release persons (an exchange of prisoners)", False, {
        "en": "exchange [captive]; swap [captive]",
        "fr": "échange [captive]; échanger [captive]",
        "de": "austausch [captive]; austauschen [captive]",
        "es": "canje [captive]; canjear [captive]; intercambio [captive]; intercambiar [captive]",
        "ru": "обмен [captive]; обменять [captive]; обменяться [captive]",
    }),
    Kind("charge", "ACE Justice:Charge-Indict", True, {
        "en": "indict; indictment; =charged with; press charges; =charges [crime]",
        "fr": "inculper; inculpation; mettre en examen; mise en examen",
        "de": "anklagen; anklage; anklage erheben",
        "es": "imputar; imputación; =acusado de; =acusada de",
        "ru": "предъявить обвинение; обвинить [crime]",
    }),
    Kind("trial", "ACE Justice:Trial-Hearing", True, {
        "en": "trial [court]; stand trial; court hearing",
        "fr": "procès",
        "de": "prozess [court]; gerichtsverfahren; gerichtsverhandlung",
        "es": "juicio [court]",
        "ru": "=процесс [court]; судебный процесс; судебное заседание",
    }),
    Kind("verdict", "ACE Justice:Convict, Justice:Sentence, Justice:Acquit", True, {
        "en": "convict; conviction [court]; =sentenced; verdict; acquit; acquittal; found guilty; =guilty; =jailed",
        "fr": "condamner; condamnation; verdict; acquitter; acquittement",
        "de": "verurteilen; verurteilung; urteil; freisprechen; freispruch",
        "es": "condenar; condena; sentencia [court]; veredicto; absolver; absolución",
        "ru": "приговорить; приговор; осудить; оправдать; заключить в тюрьму",
    }),
    Kind("lawsuit", "ACE Justice:Sue", True, {
        "en": "sue; lawsuit", "fr": "porter plainte; plainte", "de": "verklagen; klage [court]",
        "es": "demandar [court]; demanda [court]; querella", "ru": "иск; подать в суд",
    }),
    Kind("investigation", "CAMEO 09 investigate", True, {
        "en": "investigation; investigate; investigator; probe; inquiry; enquiry",
        "fr": "enquête; enquêter; enquêteur; investigation",
        "de": "ermittlung; ermitteln; =ermittlungen; ermittler",
        "es": "investigación; investigar; pesquisa",
        "ru": "расследование; расследовать; следствие; следователь",
    }),
    # -- Cooperation, pressure, business ---------------------------------------------------------
    Kind("agreement", "CAMEO 057 sign formal agreement", False, {
        "en": "sign [document]; signing [document]; ratify; ratification; reach [document]; strike [document]; "
              "conclude [document]; seal [document]; clinch [document]",
        "fr": "signer [document]; signature [document]; ratifier; ratification; conclure [document]; parvenir [document]; "
              "trouver [document]; sceller [document]",
        "de": "unterzeichnen; unterzeichnung; unterschreiben [document]; ratifizieren; ratifizierung; einigung; einigen [document]; "
              "erzielen [document]; schließen [document]",
        "es": "firmar [document]; ratificar; ratificación; alcanzar [document]; llegar [document]; cerrar [document]; "
              "sellar [document]; pactar",
        "ru": "подписать [document]; подписание [document]; церемония подписания; ратифицировать; ратификация; достичь [document]; заключить [document]; "
              "договориться",
    }),
    Kind("sanctions", "CAMEO 163 impose embargo, boycott or sanctions", True, {
        "en": "sanction; embargo; blacklist",
        "fr": "sanction; sanctionner; embargo; liste noire",
        "de": "sanktion; sanktionieren; embargo; schwarze liste",
        "es": "sanción; sancionar; embargo; lista negra",
        "ru": "санкция; =санкции; =санкций; эмбарго; чёрный список; черный список",
    }),
    Kind("launch", "no ACE or CAMEO class; WEC Weapons Test: rocket, missile and satellite launches", False, {
        "en": "launch [launcher]; liftoff; lift off [launcher]; test-fire; =launches [launcher]",
        "fr": "lancement [launcher]; lancer [launcher]; décoller [launcher]; décollage [launcher]; tir [launcher]",
        "de": "start [launcher]; starten [launcher]; abheben [launcher]; raketenstart; abschuss [launcher]",
        "es": "lanzamiento [launcher]; lanzar [launcher]; despegar [launcher]; despegue [launcher]",
        "ru": "запуск [launcher]; запустить [launcher]; пуск [launcher]; стартовать [launcher]",
    }),
    Kind("merger", "ACE Business:Merge-Org (mergers and takeovers)", True, {
        "en": "merger; merge; acquisition [company]; acquire [company]; takeover; buyout",
        "fr": "fusion; fusionner; rachat; racheter [company]; acquisition [company]",
        "de": "fusion; fusionieren; übernahme [company]; übernehmen [company]",
        "es": "fusión; fusionar; adquisición [company]; adquirir [company]",
        "ru": "слияние; поглощение; приобрести [company]",
    }),
    Kind("bankruptcy", "ACE Business:Declare-Bankruptcy", False, {
        "en": "bankruptcy; bankrupt; insolvency", "fr": "faillite; dépôt de bilan; insolvabilité",
        "de": "insolvenz; pleite; konkurs", "es": "quiebra; bancarrota; insolvencia", "ru": "банкротство; обанкротиться",
    }),
)

# Phrases that hold a trigger word but name no event of its kind: read first, they report nothing.
NOT_EVENTS: dict[str, str] = {
    "en": "heart attack; panic attack; asthma attack; house arrest; cardiac arrest",
    "fr": "crise cardiaque; résidence surveillée",
    "de": "herzinfarkt; hausarrest",
    "es": "ataque cardíaco; ataque al corazón; arresto domiciliario",
    "ru": "сердечный приступ; домашний арест",
}

# Word groups the triggers and the status refer to, per language, as lemmas (or "=forms").
GROUPS: dict[str, dict[str, str]] = {
    # documents one signs or reaches: a signature is an agreement only with one of these
    "document": {
        "en": "agreement; deal; accord; treaty; pact; truce; ceasefire; contract; memorandum; declaration; charter; law; bill; decree; convention; understanding",
        "fr": "accord; traité; pacte; trêve; cessez-le-feu; contrat; mémorandum; déclaration; charte; loi; décret; convention; compromis; entente",
        "de": "abkommen; vereinbarung; einigung; vertrag; pakt; waffenruhe; waffenstillstand; erklärung; gesetz; dekret; kompromiss; handelsabkommen; friedensvertrag; verständigung",
        "es": "acuerdo; tratado; pacto; tregua; contrato; memorando; declaración; ley; decreto; convenio; entendimiento",
        "ru": "соглашение; договор; договорённость; договоренность; пакт; перемирие; меморандум; декларация; закон; указ; контракт; взаимопонимание",
    },
    "launcher": {
        "en": "rocket; missile; satellite; spacecraft; probe; shuttle; capsule; icbm; booster; spaceship",
        "fr": "fusée; missile; satellite; sonde; navette; capsule; lanceur",
        "de": "rakete; satellit; sonde; raumschiff; trägerrakete; kapsel; rakete",
        "es": "cohete; misil; satélite; sonda; nave; lanzadera; cápsula",
        "ru": "ракета; спутник; зонд; корабль; носитель; ракета-носитель",
    },
    "labour": {
        "en": "worker; union; employee; staff; pay; wage; docker; picket; walkout; general; =strikers; industrial",
        "es": "sindicato; trabajador; obrero; gremio; gremial; docente; transporte",
    },
    "crime": {
        "en": "murder; fraud; corruption; assault; manslaughter; theft; drug; terrorism; killing; rape; bribery; homicide; criminal",
        "ru": "преступление; убийство; мошенничество; коррупция; наркотик; кража; терроризм",
    },
    "weapon": {"en": "bomb; rocket; missile; shot; round; gun; weapon; shell; bullet; gas; =bombs; =shots; =rounds; =rockets; =missiles"},
    "bomb": {
        "en": "bomb; bomber; bombing; terrorist; suicide; car bomb; ied; militant",
        "fr": "bombe; kamikaze; terroriste", "de": "bombe; sprengsatz; terrorist; selbstmordattentäter",
        "es": "bomba; coche bomba; terrorista", "ru": "бомба; смертник; террорист; самодельный",
    },
    "victim": {"es": "=contra; víctima; hombre; mujer; policía; agente; persona"},
    "building": {"en": "church; house; home; building; school; mosque; store; shop; car; vehicle; office; hotel; plant"},
    "captive": {
        "en": "prisoner; detainee; hostage; captive; =pows; spy; inmate; =prisoners",
        "fr": "prisonnier; détenu; otage; captif; espion",
        "de": "gefangene; gefangener; gefangenen; häftling; geisel; spion",
        "es": "preso; prisionero; detenido; rehén; cautivo; espía; recluso",
        "ru": "заключённый; заключенный; пленный; заложник; узник; шпион; =заключёнными; =заключенными; =пленными",
    },
    "court": {
        "en": "court; judge; jury; prosecutor; defendant; charge; murder; fraud; guilty; criminal; accuse",
        "de": "gericht; richter; angeklagte; staatsanwalt; landgericht; oberlandesgericht; anklage",
        "es": "tribunal; juez; fiscal; acusado; audiencia; delito",
        "ru": "суд; судья; прокурор; обвиняемый; подсудимый; обвинение; дело",
    },
    "military": {
        "en": "army; troops; military; forces; rebel; militant; =forces",
        "fr": "armée; troupe; militaire; force; rebelle",
        "de": "armee; truppe; militär; streitkräfte; rebell",
        "es": "ejército; tropa; militar; fuerza; rebelde",
        "ru": "армия; войска; военный; силы; боевик; ракетный; авиаудар; беспилотник",
    },
    "seismic": {
        "fr": "magnitude; séisme; sismique; richter",
        "es": "magnitud; sismo; terremoto; richter",
        "ru": "магнитуда; землетрясение; сейсмолог; балл",
    },
    "vehicle": {
        "fr": "avion; hélicoptère; appareil; vol; train; bus; voiture",
        "es": "avión; helicóptero; aeronave; vuelo; tren; autobús; vehículo",
    },
    "weather": {"es": "viento; lluvia; nieve; ola; temporal; inundación"},
    "office": {
        "en": "office; post; job; position; role; government; cabinet; board; duty; =duties; command",
        "es": "cargo; puesto; presidencia; gobierno",
    },
    "resign_ru": {"ru": "подать; уйти; отправить"},
    "talks_de": {"de": "=verhandlungen; gespräch; delegation; runde"},
    "protest_en": {"en": "protester; demonstrator; police; street; crowd; thousand; march; =protesters; =demonstrators"},
    "protest_fr": {"fr": "manifestant; manifestation; protestation; colère; syndicat; milliers"},
    "protest_ru": {"ru": "протест; митинг; протестующий; полиция; улица; тысяча"},
    "police": {"fr": "police; policier; gendarme; gendarmerie; suspect; enquête; interpellé; garde"},
    "company": {
        "en": "company; firm; stake; share; bank; group; business; corporation; rival; bid; billion; million",
        "fr": "société; entreprise; groupe; banque; actionnaire; participation; milliard; million",
        "de": "unternehmen; konzern; firma; bank; anteil; aktie; milliarde; million; gruppe",
        "es": "empresa; compañía; grupo; banco; acción; participación; millón",
        "ru": "компания; банк; акция; доля; группа; холдинг",
    },
    # after "fire"/"feuer": the verb ("fired his ...", "fire a warning shot"), not a blaze
    "det": {
        "en": "his; her; their; its; the; a; an; him; them; back; off; warning; shot; =shots; rocket; =rockets; missile; =missiles",
        "de": "frei; =eröffnet; =eröffnen; =eröffneten",
    },
    # "meet" a deadline, target or demand is no meeting
    "goal": {
        "en": "deadline; target; demand; requirement; expectation; standard; need; criticism; resistance; opposition; goal; criterion; condition",
        "de": "entscheidung; vorkehrung; maßnahme; aussage; vereinbarung; =zu",
    },
    # -- status --
    "cancel": {
        "en": "cancel; postpone; delay; call off; suspend; scrap; scrapped; =called off; put off; abandon",
        "fr": "annuler; reporter; suspendre; ajourner; annulation; report; repousser",
        "de": "absagen; verschieben; aussetzen; abblasen; absage; verschiebung; vertagen",
        "es": "cancelar; aplazar; suspender; posponer; cancelación; aplazamiento; postergar; desistir",
        "ru": "отменить; отложить; перенести; приостановить; отмена; отсрочить",
    },
    "modal": {
        "en": "may; might; could; would; plan; schedule; =scheduled; expect; =due; intend; threaten; propose; prepare; consider; hope; aim; "
              "seek; want; likely; possible; potential; upcoming; planned; proposed",
        "fr": "pouvoir; devoir; prévoir; envisager; menacer; projeter; compter; vouloir; éventuel; possible; prochain; =prévu; =prévue; "
              "=pourrait; =devrait",
        "de": "sollen; wollen; planen; erwarten; drohen; könnte; =könnten; =soll; =sollen; geplant; möglich; bevorstehend; =dürfte",
        "es": "poder; deber; prever; planear; amenazar; pretender; posible; próximo; =previsto; =prevista; =podría",
        "ru": "планировать; намереваться; собираться; угрожать; =может; =могут; возможный; предстоящий; =должны; =должен; =должна",
    },
    "deadline": {
        "en": "deadline; expire; expiry; expiration; lapse; ultimatum; run out; =expires; =expired",
        "fr": "échéance; expirer; expiration; date limite; ultimatum",
        "de": "frist; ablaufen; auslaufen; ablauf; ultimatum; =läuft aus",
        "es": "plazo; expirar; vencer; vencimiento; caducar; fecha límite; ultimátum",
        "ru": "срок; истечь; истекать; истечение; ультиматум",
    },
    # what talks or an agreement are about: "talks on", "accord sur", "Gespräche über", "sobre", "по"
    "topic": {
        "en": "on; about; over; for", "fr": "sur; pour", "de": "über; um; zum; zur", "es": "sobre; para",
        "ru": "=по; =о; =об; =на",
    },
    "negation": {
        "en": "not; =n't; no; never; without",
        "fr": "=pas; jamais; aucun; aucune; sans",
        "de": "nicht; kein; keine; keinen; keiner; nie; niemals; ohne",
        "es": "=no; nunca; ningún; ninguna; sin",
        "ru": "=не; =нет; никогда; без",
    },
}


@dataclass(frozen=True)
class Pattern:
    """One parsed entry: words to match in a row, and the conditions around them."""

    words: tuple[str, ...]  # "lemma" or "=form"
    requires: str | None = None  # a group that must occur in the sentence
    vetoed_by: str | None = None  # a group that must not follow within three words
    needs_object: bool = False  # a person, organisation or role must follow


def parse(entries: str) -> list[Pattern]:
    """The patterns of a ";"-separated list of entries (see the module docstring)."""
    patterns = []
    for entry in (e.strip() for e in entries.split(";")):
        if not entry:
            continue
        words, requires, vetoed_by, needs_object = [], None, None, False
        for part in entry.split():
            if part.startswith("[") and part.endswith("]"):
                requires = part[1:-1]
            elif part.startswith("!"):
                vetoed_by = part[1:]
            elif part == "@object":
                needs_object = True
            else:
                words.append(part.lower())
        patterns.append(Pattern(tuple(words), requires, vetoed_by, needs_object))
    return patterns


def lemmas_used(language: str) -> set[str]:
    """Every lemma the triggers and groups of a language name (what the forms table must cover)."""
    texts = [kind.triggers.get(language, "") for kind in KINDS] + [group.get(language, "") for group in GROUPS.values()]
    texts.append(NOT_EVENTS.get(language, ""))
    return {word for text in texts for pattern in parse(text) for word in pattern.words if not word.startswith("=")}
