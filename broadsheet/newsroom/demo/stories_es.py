"""Las secciones y noticias de demostración de la edición España. Todo es ficción: Valdemora,
el río Almenar, la Comunidad de Almenara y las personas citadas no existen.

Una noticia con la misma clave que una de stories_en.py se publica como su traducción.
"""

from __future__ import annotations

from .corpus import Paragraph as P  # noqa: N817  (short names keep the text readable)
from .corpus import Picture as IMG  # noqa: N814
from .corpus import PullQuote as Q
from .corpus import RelatedCard, SectionSpec, Story, org, person, place, topic
from .corpus import Subhead as H

CARD = RelatedCard()
ART = "Ilustración: Broadsheet"

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "world", "Internacional", "internacional", "Lo que pasa fuera de nuestras fronteras."
    ),
    SectionSpec(
        "spain", "España", "espana", "Valdemora, la Comunidad de Almenara y el resto del país."
    ),
    SectionSpec(
        "politics",
        "Política",
        "politica",
        "Elecciones, parlamentos, ayuntamientos y quienes los gobiernan.",
    ),
    SectionSpec(
        "economy",
        "Economía",
        "economia",
        "Empleo, precios, vivienda y las empresas de las que dependemos.",
    ),
    SectionSpec("culture", "Cultura", "cultura", "Música, libros, cine y arte."),
    SectionSpec(
        "opinion", "Opinión", "opinion", "Columnas y editoriales. Las opiniones son de sus autores."
    ),
)

TOP_STORIES = (
    "es-elecciones-almenara",
    "es-embalses",
    "shipping-accord",
    "es-casco-peatonal",
    "jazz-festival",
)

STORIES: tuple[Story, ...] = (
    # --- Traducciones de la edición de Estados Unidos ------------------------------------
    Story(
        key="shipping-accord",
        language="es-es",
        section="world",
        headline=(
            "Los países marítimos acuerdan reducir a la mitad las emisiones del transporte naval "
            "en 2040"
        ),
        slug="paises-maritimos-reducir-emisiones-transporte-naval",
        standfirst=(
            "Tras dos semanas de negociaciones en la ciudad portuaria de Varnholm, cuarenta y un "
            "países firmaron un acuerdo que fija los primeros objetivos obligatorios para los "
            "buques de carga."
        ),
        dateline="VARNHOLM",
        lead=IMG(
            "harbour",
            "Buques portacontenedores fondeados frente a Varnholm durante la cumbre.",
            ART,
        ),
        body=(
            P(
                "<p>Las delegaciones de cuarenta y un países firmaron el Acuerdo de Varnholm en la "
                "madrugada del sábado. Los buques que navegan bajo sus banderas deberán reducir a "
                "la mitad sus emisiones de gases de efecto invernadero en 2040 respecto a las de "
                "2020. El acuerdo abarca alrededor del 70 % de la flota mercante mundial.</p>"
            ),
            P(
                "<p>El texto establece una tasa sobre el combustible que aumentará cada año a "
                "partir de 2028. Parte de lo recaudado irá a puertos de países con menos recursos "
                "para que instalen conexiones eléctricas en los muelles y suministro de "
                "combustibles más limpios.</p>"
            ),
            H("Los que no firmaron"),
            P(
                "<p>Varios de los grandes países de abanderamiento se negaron a firmar porque, a "
                "su juicio, la tasa encarecerá los alimentos importados. Los negociadores les "
                "dejan dos años para sumarse.</p>"
            ),
            Q(
                "No es todo lo que queríamos. Es lo primero en lo que nos hemos puesto de acuerdo.",
                "Ingrid Solberg, presidenta de la cumbre",
            ),
            CARD,
        ),
        authors=("priya-natarajan", "andres-quiroga"),
        tags=(
            topic("Clima"),
            topic("Transporte marítimo"),
            place("Varnholm"),
            person("Ingrid Solberg"),
        ),
        related=("night-train", "reef-survey"),
        access="metered",
        hours_ago=37,
    ),
    Story(
        key="saravan-drought",
        language="es-es",
        section="world",
        headline="Un segundo invierno seco obliga a racionar el agua en la cuenca del Saravan",
        slug="segundo-invierno-seco-racionar-agua-saravan",
        standfirst=(
            "Los pueblos de la cuenca solo reciben agua corriente cuatro días por semana y los "
            "agricultores han dejado sin sembrar un tercio de sus tierras."
        ),
        dateline="SARAVAN",
        lead=IMG("fields", "Campos sin sembrar cerca de la localidad de Kesra.", ART),
        body=(
            P(
                "<p>Los embalses que abastecen la cuenca del Saravan están al 19 % de su "
                "capacidad, "
                "el nivel más bajo desde que hay registros, tras un segundo invierno con menos de "
                "la mitad de la lluvia y la nieve habituales.</p>"
            ),
            P(
                "<p>Las autoridades regionales impusieron el racionamiento el mes pasado. Los "
                "hogares reciben agua cuatro días por semana, y hoteles y túneles de lavado tienen "
                "un límite de consumo.</p>"
            ),
            IMG(
                "river",
                "El río Saravan, convertido en una sucesión de pozas cerca de su desembocadura.",
                ART,
            ),
            P(
                "<p>En la cuenca se cultiva buena parte del trigo y los garbanzos del país. Muchos "
                "agricultores han pasado a la cebada, que aguanta mejor la sequía, y algunos han "
                "vendido el ganado que ya no pueden abrevar.</p>"
            ),
            Q(
                "Sembramos para la lluvia que teníamos. Tenemos que aprender a sembrar para la "
                "que nos llega.",
                "Amir Haddad, agricultor de Kesra",
            ),
        ),
        authors=("thomas-lindqvist", "andres-quiroga"),
        tags=(topic("Sequía"), topic("Agricultura"), place("Cuenca del Saravan")),
        related=("es-embalses", "glacier-network"),
        access="metered",
        hours_ago=70,
    ),
    Story(
        key="night-train",
        language="es-es",
        section="world",
        headline="Vuelve el tren nocturno entre Varnholm y Castellmar veinte años después",
        slug="vuelve-tren-nocturno-varnholm-castellmar",
        standfirst=(
            "El primer tren con coches cama en dos décadas salió el viernes por la tarde con "
            "todas las plazas vendidas, vagón restaurante y sitio para bicicletas."
        ),
        dateline="VARNHOLM",
        lead=IMG("fields", "El nuevo tren nocturno atraviesa campos de cultivo al amanecer.", ART),
        body=(
            P(
                "<p>El tren salió de la estación central de Varnholm a las 20.14 del viernes y "
                "tenía prevista su llegada a Castellmar a las 9.40 del día siguiente. En avión, "
                "contando los trayectos hasta los aeropuertos, el viaje dura unas cinco horas.</p>"
            ),
            P(
                "<p>La línea cerró en 2005, cuando los vuelos de bajo coste se llevaron a la "
                "mayoría de sus viajeros. Su regreso lo han financiado las dos compañías "
                "ferroviarias nacionales y un fondo regional para el clima.</p>"
            ),
            Q(
                "Te duermes en un país y te despiertas en otro con el café preparado.",
                "Marta Vell, pasajera",
            ),
            P(
                "<p>Los billetes cuestan desde 49 euros en asiento y 129 en litera de "
                "compartimento compartido. La operadora asegura que los tres primeros meses "
                "están casi agotados.</p>"
            ),
            CARD,
        ),
        authors=("priya-natarajan", "andres-quiroga"),
        tags=(topic("Ferrocarril"), topic("Viajes"), place("Varnholm"), place("Castellmar")),
        related=("slow-trains-column", "es-cercanias"),
        access="free",
        hours_ago=116,
    ),
    Story(
        key="reef-survey",
        language="es-es",
        section="world",
        headline="Un arrecife se recupera más deprisa de lo que esperaban los científicos",
        slug="arrecife-se-recupera-mas-deprisa",
        standfirst=(
            "Un estudio frente a las islas de Mereth ha hallado coral nuevo en dos tercios de un "
            "arrecife dañado por el agua caliente hace seis años."
        ),
        dateline="MERETH",
        lead=IMG("harbour", "Embarcaciones del estudio en la laguna de Mereth.", ART),
        body=(
            P(
                "<p>Un equipo de treinta buceadores pasó tres semanas fotografiando, metro "
                "cuadrado a metro cuadrado, el arrecife que rodea las islas de Mereth. Encontraron "
                "coral vivo en el 64 % de la superficie que se blanqueó durante una ola de calor "
                "hace seis años.</p>"
            ),
            P(
                "<p>Los científicos lo atribuyen a la prohibición de pescar con redes dentro de la "
                "laguna, que ha permitido a los peces herbívoros mantener a raya las algas.</p>"
            ),
            Q(
                "Los arrecifes pueden volver si les damos unos años de calma.",
                "Sefa Tuilagi, directora del estudio",
            ),
            P(
                "<p>Los investigadores advierten de que otra ola de calor podría echar a perder lo "
                "ganado y piden que la prohibición sea permanente.</p>"
            ),
        ),
        authors=("thomas-lindqvist", "andres-quiroga"),
        tags=(topic("Océanos"), topic("Ciencia"), place("Islas de Mereth"), person("Sefa Tuilagi")),
        related=("shipping-accord",),
        access="free",
        hours_ago=205,
    ),
    Story(
        key="glacier-network",
        language="es-es",
        section="world",
        headline=(
            "Una red de estaciones meteorológicas vigilará los glaciares de la cordillera de Tarn"
        ),
        slug="estaciones-meteorologicas-glaciares-tarn",
        standfirst=(
            "Veinticuatro estaciones alimentadas con energía solar enviarán datos cada diez "
            "minutos desde altitudes donde casi nunca se ha medido nada."
        ),
        dateline="TARN",
        lead=IMG("fields", "Una estación meteorológica en el borde del glaciar Aster.", ART),
        body=(
            P(
                "<p>Escaladores y científicos terminaron esta semana de instalar la última de las "
                "veinticuatro estaciones en los glaciares de la cordillera de Tarn. Miden la "
                "temperatura, el viento, el espesor de la nieve y la radiación solar, y transmiten "
                "los datos por satélite.</p>"
            ),
            P(
                "<p>Los glaciares alimentan ríos que riegan cultivos en tres países. Hasta ahora, "
                "las previsiones del deshielo dependían de unas pocas estaciones en los valles.</p>"
            ),
            Q(
                "Hasta ahora pronosticábamos el deshielo desde el fondo del valle. Ahora podemos "
                "ver el propio glaciar.",
                "Elin Rask, glacióloga que ha participado en el diseño de la red",
            ),
            H("Datos abiertos"),
            P(
                "<p>Las mediciones se publicarán en internet, gratis, menos de una hora después "
                "de tomarse.</p>"
            ),
        ),
        authors=("thomas-lindqvist", "andres-quiroga"),
        tags=(topic("Clima"), topic("Ciencia"), place("Cordillera de Tarn")),
        related=("saravan-drought", "reef-survey"),
        access="metered",
        hours_ago=226,
    ),
    Story(
        key="brightwater-layoffs",
        language="es-es",
        section="economy",
        headline=(
            "Brightwater Systems despedirá a 900 empleados por la caída de contratos en la nube"
        ),
        slug="brightwater-systems-despedira-900-empleados",
        standfirst=(
            "La mayor tecnológica de Port Ashby, en Estados Unidos, cerrará su división de "
            "atención al cliente y dos equipos de ingeniería antes de que acabe marzo."
        ),
        dateline="PORT ASHBY (EE UU)",
        lead=IMG(
            "skyline", "Las oficinas de Brightwater Systems junto al puerto de Port Ashby.", ART
        ),
        body=(
            P(
                "<p>Brightwater Systems, que fabrica programas para gestionar centros de datos, "
                "anunció el jueves que despedirá a unos 900 trabajadores, el 14 % de su "
                "plantilla. Unos 600 de esos empleos están en Port Ashby.</p>"
            ),
            P(
                "<p>El consejero delegado, Alan Mercer, explicó a la plantilla en una "
                "videoconferencia que dos grandes clientes no han renovado sus contratos y que el "
                "crecimiento se ha frenado durante tres trimestres seguidos.</p>"
            ),
            Q(
                "Son buenos profesionales, y esto no tiene nada que ver con su trabajo.",
                "Alan Mercer, consejero delegado",
            ),
            H("Indemnizaciones"),
            P(
                "<p>Los afectados cobrarán doce semanas de sueldo, más dos por cada año trabajado, "
                "y mantendrán el seguro médico hasta junio.</p>"
            ),
            CARD,
        ),
        authors=("samuel-adeyemi", "andres-quiroga"),
        tags=(
            topic("Tecnología"),
            topic("Empleo"),
            org("Brightwater Systems"),
            person("Alan Mercer"),
        ),
        related=("es-alquiler", "es-cooperativa-aceite"),
        access="metered",
        hours_ago=24,
    ),
    Story(
        key="jazz-festival",
        language="es-es",
        section="culture",
        headline="El festival de jazz de Port Ashby se abre con un homenaje a Loretta Vance",
        slug="festival-jazz-port-ashby-homenaje-loretta-vance",
        standfirst=(
            "Una docena de músicos formados por la pianista que fundó el festival hace treinta "
            "años tocaron sus composiciones en la noche inaugural."
        ),
        dateline="PORT ASHBY (EE UU)",
        lead=IMG("stage", "El homenaje de la noche inaugural en el Riverside Pavilion.", ART),
        body=(
            P(
                "<p>La trigésima edición del festival de jazz de Port Ashby arrancó el viernes con "
                "un concierto dedicado a Loretta Vance, la pianista que lo puso en marcha en un "
                "aparcamiento con dos altavoces prestados y un camión de plataforma.</p>"
            ),
            P(
                "<p>Doce músicos, casi todos alumnos suyos, interpretaron sus composiciones en el "
                "orden en que las escribió. Ella lo siguió desde la primera fila y, en el bis, "
                "subió al escenario y se sentó al piano.</p>"
            ),
            Q(
                "En 1995 pedí una sola noche de música. Nadie me dijo que podía parar.",
                "Loretta Vance",
            ),
            P(
                "<p>El festival dura hasta el domingo que viene, con cuarenta conciertos en nueve "
                "escenarios. La mitad son gratuitos.</p>"
            ),
            CARD,
        ),
        authors=("grace-holloway", "ines-robledo"),
        tags=(
            topic("Jazz"),
            topic("Música"),
            person("Loretta Vance"),
            org("Port Ashby Jazz Festival"),
        ),
        related=("es-festival-cine", "meridian-prize"),
        access="free",
        hours_ago=46,
    ),
    Story(
        key="meridian-prize",
        language="es-es",
        section="culture",
        headline="Una primera novela sobre un pueblo ribereño gana el premio Meridian",
        slug="primera-novela-pueblo-ribereno-premio-meridian",
        standfirst=(
            "«The Lower Reach», de Hannah Cole, sigue a tres generaciones de una familia que "
            "mantiene un transbordador que ya nadie necesita."
        ),
        dateline="NUEVA YORK",
        lead=IMG("river", "El pueblo ribereño que inspiró la novela de Hannah Cole.", ART),
        body=(
            P(
                "<p>Hannah Cole, antigua profesora de instituto, ganó el miércoles el premio "
                "Meridian de narrativa con su primera novela, <em>The Lower Reach</em>, dotado "
                "con 50.000 dólares.</p>"
            ),
            P(
                "<p>El jurado elogió la paciencia y el humor del libro, que cuenta la historia de "
                "una familia que sigue manejando un transbordador cuarenta años después de que se "
                "construyera un puente un kilómetro y medio río arriba.</p>"
            ),
            Q("Quería escribir sobre gente que sigue haciendo algo porque es suyo.", "Hannah Cole"),
            P("<p>La novela aún no tiene editorial en España.</p>"),
        ),
        authors=("grace-holloway", "ines-robledo"),
        tags=(topic("Libros"), person("Hannah Cole"), org("Premio Meridian")),
        related=("es-exposicion-fotografa",),
        access="free",
        hours_ago=104,
    ),
    Story(
        key="slow-trains-column",
        language="es-es",
        section="opinion",
        headline="Elogio del tren lento",
        slug="elogio-del-tren-lento",
        standfirst=(
            "Un tren nocturno tarda más que un avión. Precisamente por eso tanta gente está "
            "comprando billete."
        ),
        dateline="",
        lead=IMG("fields", "La mañana desde la ventanilla de un coche cama.", ART),
        body=(
            P(
                "<p>Nadie ha descrito nunca el control de seguridad de un aeropuerto como un "
                "lugar de descanso. Un tren nocturno, en cambio, convierte el trayecto en la única "
                "parte del viaje en la que nadie espera nada de ti.</p>"
            ),
            P(
                "<p>El regreso del tren entre Varnholm y Castellmar se presenta como una medida "
                "contra el cambio climático, y lo es. Pero si sus tres primeros meses se han "
                "vendido es por algo más sencillo: a la gente le gusta llegar descansada.</p>"
            ),
            Q("La velocidad no es lo único que puede ofrecer un viaje."),
            P(
                "<p>Valdemora tuvo un expreso nocturno hasta la costa hasta 1989. Merece la pena "
                "preguntarse qué haría falta para recuperarlo.</p>"
            ),
        ),
        authors=("eleanor-marsh", "andres-quiroga"),
        tags=(topic("Ferrocarril"), topic("Viajes")),
        related=("night-train",),
        access="metered",
        hours_ago=86,
    ),
    # --- España ---------------------------------------------------------------------------
    Story(
        key="es-casco-peatonal",
        language="es-es",
        section="spain",
        headline="Valdemora cierra al tráfico su casco antiguo a partir de enero",
        slug="valdemora-cierra-trafico-casco-antiguo",
        standfirst=(
            "Solo podrán entrar los vecinos, el transporte público y la carga y descarga en "
            "horario de mañana. Los comerciantes piden más aparcamiento disuasorio."
        ),
        dateline="VALDEMORA",
        lead=IMG("skyline", "La calle Mayor de Valdemora, que será peatonal desde enero.", ART),
        body=(
            P(
                "<p>El pleno del Ayuntamiento de Valdemora aprobó el jueves, con los votos del "
                "equipo de gobierno y de un concejal no adscrito, la peatonalización de las "
                "cuarenta y dos calles del casco antiguo. La medida entrará en vigor el 8 de "
                "enero.</p>"
            ),
            P(
                "<p>Cámaras en los seis accesos controlarán las matrículas. Los residentes, los "
                "taxis, los autobuses urbanos y los vehículos de reparto entre las 7.00 y las "
                "11.00 podrán seguir entrando.</p>"
            ),
            H("Dudas en el comercio"),
            P(
                "<p>La asociación de comerciantes del centro no se opone a la medida, pero reclama "
                "que el aparcamiento de la estación abra antes de enero y que los autobuses "
                "lanzadera pasen cada diez minutos.</p>"
            ),
            Q(
                "Queremos un centro para pasear, pero también para comprar.",
                "Pilar Ugarte, presidenta de los comerciantes del centro",
            ),
            P(
                "<p>La alcaldesa, Mercedes Arranz, recordó que las calles peatonalizadas en 2019 "
                "en el barrio de San Lorenzo ganaron comercios en lugar de perderlos.</p>"
            ),
        ),
        authors=("lucia-ferrer",),
        tags=(
            topic("Urbanismo"),
            topic("Movilidad"),
            place("Valdemora"),
            person("Mercedes Arranz"),
        ),
        related=("es-cercanias", "es-alquiler"),
        access="free",
        hours_ago=33,
    ),
    Story(
        key="es-embalses",
        language="es-es",
        section="spain",
        headline="Los embalses de la cuenca del Almenar bajan al 28 % y se restringe el riego",
        slug="embalses-almenar-bajan-28-restringe-riego",
        standfirst=(
            "La confederación hidrográfica reduce a la mitad las dotaciones para los regantes. "
            "El abastecimiento a las ciudades está garantizado hasta la primavera."
        ),
        dateline="VALDEMORA",
        lead=IMG("river", "El embalse de Peñarrubia, en la cabecera del Almenar, este lunes.", ART),
        body=(
            P(
                "<p>Los siete embalses de la cuenca del Almenar almacenan 412 hectómetros cúbicos, "
                "el 28 % de su capacidad. Hace un año estaban al 46 %. La comisión de desembalse "
                "acordó el lunes reducir un 50 % el agua destinada al regadío durante la próxima "
                "campaña.</p>"
            ),
            P(
                "<p>El consumo de boca de las más de 600.000 personas que dependen de la cuenca "
                "no corre peligro a corto plazo, según la confederación, aunque los ayuntamientos "
                "deberán presentar antes de marzo sus planes de emergencia.</p>"
            ),
            IMG(
                "fields",
                "Regadíos de la vega del Almenar, que recibirán la mitad del agua habitual.",
                ART,
            ),
            Q(
                "Con la mitad del agua no da para el maíz. Habrá que sembrar cereal de secano y "
                "esperar.",
                "Eusebio Lara, de la comunidad de regantes de la vega",
            ),
            H("Qué cambia"),
            P(
                "<p>Quedan prohibidos el llenado de piscinas privadas y el riego de jardines con "
                "agua de la red entre las 9.00 y las 21.00 en los municipios de la cuenca.</p>"
            ),
            CARD,
        ),
        authors=("carmen-soto",),
        tags=(
            topic("Sequía"),
            topic("Agua"),
            place("Río Almenar"),
            org("Confederación Hidrográfica del Almenar"),
        ),
        related=("es-plan-sequia", "es-columna-agua", "saravan-drought"),
        access="free",
        hours_ago=12,
        updated_after_hours=4,
        correction=(
            "Una versión anterior de esta noticia atribuía a la cuenca 800.000 habitantes. La "
            "cifra correcta es algo más de 600.000."
        ),
    ),
    Story(
        key="es-cercanias",
        language="es-es",
        section="spain",
        headline="El cercanías de Valdemora duplicará sus frecuencias en hora punta",
        slug="cercanias-valdemora-duplicara-frecuencias",
        standfirst=(
            "Desde febrero pasará un tren cada quince minutos entre las 6.30 y las 9.30. El "
            "consorcio de transportes incorpora cuatro unidades nuevas."
        ),
        dateline="VALDEMORA",
        lead=IMG("fields", "Un tren de cercanías entre Valdemora y Fuentelsaz.", ART),
        body=(
            P(
                "<p>El Consorcio de Transportes de Valdemora anunció el martes que la línea C-1, "
                "que une la ciudad con los cuatro municipios de su área metropolitana, tendrá un "
                "tren cada quince minutos en hora punta a partir del 3 de febrero. Ahora pasa uno "
                "cada media hora.</p>"
            ),
            P(
                "<p>El cambio es posible gracias a cuatro trenes nuevos y al desdoblamiento de la "
                "vía entre Fuentelsaz y el polígono industrial, terminado en otoño.</p>"
            ),
            Q(
                "Llevo diez años calculando si llego al de las 7.40. Ya no tendré que hacerlo.",
                "Nerea Alonso, usuaria diaria",
            ),
            P("<p>El precio del abono mensual no cambiará.</p>"),
        ),
        authors=("lucia-ferrer",),
        tags=(
            topic("Movilidad"),
            topic("Ferrocarril"),
            place("Valdemora"),
            org("Consorcio de Transportes de Valdemora"),
        ),
        related=("es-casco-peatonal", "night-train"),
        access="metered",
        hours_ago=130,
    ),
    Story(
        key="es-escuela-rural",
        language="es-es",
        section="spain",
        headline="Los vecinos de Olmedilla salvan su escuela con cuatro familias nuevas",
        slug="vecinos-olmedilla-salvan-escuela",
        standfirst=(
            "El colegio necesitaba seis alumnos para no cerrar. El pueblo ofreció casas de "
            "alquiler barato y ahora tiene nueve."
        ),
        dateline="OLMEDILLA DE LA SIERRA",
        lead=IMG("fields", "La escuela de Olmedilla de la Sierra, con sus nueve alumnos.", ART),
        body=(
            P(
                "<p>Hace un año, la escuela de Olmedilla de la Sierra tenía cuatro alumnos y la "
                "Consejería de Educación había anunciado su cierre si no llegaba a seis. El "
                "Ayuntamiento, de 212 habitantes, rehabilitó tres casas municipales y las ofreció "
                "a 150 euros al mes a familias con niños.</p>"
            ),
            P(
                "<p>Recibieron más de trescientas solicitudes. Cuatro familias se instalaron en "
                "verano, y este curso la escuela ha empezado con nueve niños.</p>"
            ),
            Q(
                "El día que cierra la escuela, el pueblo empieza a cerrar.",
                "Agustín Merino, alcalde de Olmedilla",
            ),
            P(
                "<p>Dos de las familias nuevas teletrabajan; la tercera ha abierto una panadería "
                "y la cuarta trabaja en una granja de la comarca.</p>"
            ),
        ),
        authors=("lucia-ferrer",),
        tags=(
            topic("Educación"),
            topic("Despoblación"),
            place("Olmedilla de la Sierra"),
            person("Agustín Merino"),
        ),
        related=("es-cooperativa-aceite",),
        access="free",
        hours_ago=180,
    ),
    # --- Política -------------------------------------------------------------------------
    Story(
        key="es-elecciones-almenara",
        language="es-es",
        section="politics",
        headline="Rosa Alcántara gana las elecciones en Almenara pero necesitará pactar",
        slug="rosa-alcantara-gana-elecciones-almenara",
        standfirst=(
            "Unión por Almenara obtiene 31 de los 67 escaños del Parlamento regional, tres menos "
            "de la mayoría absoluta. La participación sube al 68 %."
        ),
        dateline="VALDEMORA",
        lead=IMG(
            "chamber", "El hemiciclo del Parlamento de Almenara, que renovará sus 67 escaños.", ART
        ),
        body=(
            P(
                "<p>Unión por Almenara, el partido de Rosa Alcántara, ganó el domingo las "
                "elecciones a la Comunidad de Almenara con el 38,2 % de los votos y 31 escaños. "
                "Necesitará el apoyo de al menos otro grupo para ser investida presidenta.</p>"
            ),
            P(
                "<p>El Partido Progresista de Almenara, del presidente saliente Tomás Beltrán, "
                "queda segundo con 24 diputados, seis menos que en 2021. Verdes de Almenara, con "
                "siete, y el Partido Rural, con cinco, tienen la llave del próximo gobierno.</p>"
            ),
            Q(
                "Los ciudadanos nos han dado la confianza y también un mandato para dialogar.",
                "Rosa Alcántara, en la noche electoral",
            ),
            H("La participación, la más alta en veinte años"),
            P(
                "<p>Votó el 68 % del censo, siete puntos más que en las anteriores elecciones. La "
                "participación creció sobre todo en las comarcas afectadas por la sequía, donde el "
                "agua fue el asunto central de la campaña.</p>"
            ),
            CARD,
        ),
        authors=("lucia-ferrer",),
        tags=(
            topic("Elecciones"),
            place("Comunidad de Almenara"),
            person("Rosa Alcántara"),
            person("Tomás Beltrán"),
            org("Unión por Almenara"),
        ),
        related=("es-negociacion-gobierno", "es-plan-sequia"),
        access="free",
        hours_ago=16,
        updated_after_hours=10,
    ),
    Story(
        key="es-negociacion-gobierno",
        language="es-es",
        section="politics",
        headline="Alcántara abre conversaciones con Verdes y el Partido Rural",
        slug="alcantara-abre-conversaciones-verdes-partido-rural",
        standfirst=(
            "La ganadora de las elecciones quiere un acuerdo de legislatura antes de la sesión "
            "de investidura, prevista para dentro de cinco semanas."
        ),
        dateline="VALDEMORA",
        lead=IMG(
            "chamber", "La sede de Unión por Almenara, donde se celebró la primera reunión.", ART
        ),
        body=(
            P(
                "<p>Rosa Alcántara se reunió el martes por separado con los portavoces de Verdes "
                "de Almenara y del Partido Rural. Ambos encuentros duraron más de dos horas y "
                "terminaron sin declaraciones conjuntas.</p>"
            ),
            P(
                "<p>Los Verdes condicionan su apoyo a un plan de ahorro de agua con objetivos "
                "anuales. El Partido Rural pide que las inversiones en carreteras comarcales se "
                "blinden en los presupuestos.</p>"
            ),
            Q(
                "No vamos a firmar un cheque en blanco, pero tampoco a bloquear.",
                "Irene Vallejo Soler, portavoz de Verdes de Almenara",
            ),
            P("<p>El Parlamento se constituirá el día 14.</p>"),
        ),
        authors=("lucia-ferrer",),
        tags=(
            topic("Elecciones"),
            place("Comunidad de Almenara"),
            person("Rosa Alcántara"),
            org("Unión por Almenara"),
        ),
        related=("es-elecciones-almenara",),
        access="subscribers",
        hours_ago=2,
    ),
    Story(
        key="es-plan-sequia",
        language="es-es",
        section="politics",
        headline="El Parlamento de Almenara aprueba por unanimidad el plan de sequía",
        slug="parlamento-almenara-aprueba-plan-sequia",
        standfirst=(
            "El decreto, convalidado en la última sesión de la legislatura, moviliza 85 millones "
            "de euros para pozos de emergencia y ayudas a los agricultores."
        ),
        dateline="VALDEMORA",
        lead=IMG("chamber", "La votación del decreto de sequía en el Parlamento de Almenara.", ART),
        body=(
            P(
                "<p>Todos los grupos votaron a favor del decreto de sequía en la última sesión "
                "plenaria antes de las elecciones. El texto destina 85 millones de euros a pozos "
                "de emergencia, reparación de redes que pierden agua y ayudas directas a las "
                "explotaciones agrarias.</p>"
            ),
            H("Ayudas a los pueblos"),
            P(
                "<p>Los ayuntamientos de menos de 5.000 habitantes podrán pedir hasta 300.000 "
                "euros para reparar fugas, que en algunos pueblos superan el 40 % del agua "
                "distribuida.</p>"
            ),
            Q(
                "Es la primera vez en años que este Parlamento vota algo sin que nadie se levante "
                "a protestar.",
                "Tomás Beltrán, presidente en funciones",
            ),
            P(
                "<p>El nuevo Gobierno tendrá seis meses para aprobar el reglamento que fije cómo "
                "se reparten las ayudas.</p>"
            ),
        ),
        authors=("lucia-ferrer", "carmen-soto"),
        tags=(
            topic("Sequía"),
            topic("Agua"),
            place("Comunidad de Almenara"),
            person("Tomás Beltrán"),
        ),
        related=("es-embalses", "es-elecciones-almenara"),
        access="metered",
        hours_ago=150,
    ),
    # --- Economía -------------------------------------------------------------------------
    Story(
        key="es-cooperativa-aceite",
        language="es-es",
        section="economy",
        headline="La cooperativa olivarera de Campodeza exporta un 40 % más",
        slug="cooperativa-olivarera-campodeza-exporta-mas",
        standfirst=(
            "Las ventas a Japón y Canadá compensan una cosecha corta por la sequía. La "
            "cooperativa reúne a 1.100 socios de siete pueblos."
        ),
        dateline="CAMPODEZA",
        lead=IMG("fields", "Olivares de la cooperativa de Campodeza.", ART),
        body=(
            P(
                "<p>La Cooperativa Olivarera Virgen de la Vega, de Campodeza, vendió fuera de "
                "España el 40 % más de aceite que el año anterior, según sus cuentas anuales. "
                "Japón y Canadá fueron los mercados que más crecieron.</p>"
            ),
            P(
                "<p>La cosecha fue un 25 % más corta por la falta de lluvia, pero el precio del "
                "aceite envasado compensó la caída y la facturación subió hasta los 38 millones "
                "de euros.</p>"
            ),
            Q(
                "Hace diez años vendíamos a granel. Ahora el cliente de Osaka sabe de qué pueblo "
                "es su aceite.",
                "Rocío Herrera, gerente de la cooperativa",
            ),
            H("Relevo generacional"),
            P(
                "<p>La cooperativa ha incorporado este año 60 socios menores de 35 años, la cifra "
                "más alta de su historia.</p>"
            ),
        ),
        authors=("javier-montalban",),
        tags=(
            topic("Agricultura"),
            topic("Exportaciones"),
            place("Campodeza"),
            org("Cooperativa Virgen de la Vega"),
        ),
        related=("es-embalses", "es-escuela-rural"),
        access="metered",
        hours_ago=60,
    ),
    Story(
        key="es-alquiler",
        language="es-es",
        section="economy",
        headline="El alquiler en Valdemora sube un 9 % en un año",
        slug="alquiler-valdemora-sube-9",
        standfirst=(
            "Un piso de dos dormitorios cuesta ya 820 euros al mes de media. El Ayuntamiento "
            "estudia declarar dos barrios zona tensionada."
        ),
        dateline="VALDEMORA",
        lead=IMG("chart", "Precio medio del alquiler en Valdemora, por trimestres.", ART),
        body=(
            P(
                "<p>El precio medio del alquiler en Valdemora subió un 9,1 % en el último año, "
                "hasta 10,4 euros por metro cuadrado, según el observatorio municipal de la "
                "vivienda. Es la mayor subida desde que se elabora la estadística.</p>"
            ),
            P(
                "<p>El casco antiguo y el barrio de San Lorenzo concentran los mayores "
                "incrementos, en parte por la conversión de viviendas en pisos turísticos.</p>"
            ),
            Q(
                "Con lo que gano, o comparto piso o me vuelvo al pueblo.",
                "Álvaro Cid, enfermero de 29 años",
            ),
            P(
                "<p>El Ayuntamiento encargará un estudio para decidir si pide declarar ambos "
                "barrios zona de mercado tensionado.</p>"
            ),
        ),
        authors=("javier-montalban",),
        tags=(topic("Vivienda"), place("Valdemora")),
        related=("es-casco-peatonal",),
        access="subscribers",
        hours_ago=80,
    ),
    # --- Cultura --------------------------------------------------------------------------
    Story(
        key="es-festival-cine",
        language="es-es",
        section="culture",
        headline=(
            "El Festival de Cine de Valdemora premia un documental sobre los últimos pastores "
            "trashumantes"
        ),
        slug="festival-cine-valdemora-premia-documental-pastores",
        standfirst=(
            "«Cañada» sigue durante un año a una familia que lleva 800 ovejas a pie desde la "
            "sierra hasta los pastos de invierno."
        ),
        dateline="VALDEMORA",
        lead=IMG("stage", "La gala de clausura del Festival de Cine de Valdemora.", ART),
        body=(
            P(
                "<p><em>Cañada</em>, de la directora Sara Gil Arteaga, ganó el sábado la Espiga de "
                "Oro del Festival de Cine de Valdemora. El documental acompaña durante doce meses "
                "a la familia Recuero en su viaje de 300 kilómetros con el rebaño.</p>"
            ),
            P(
                "<p>El jurado destacó que la película «no idealiza el oficio ni lo convierte en "
                "postal», y el público la aplaudió en pie durante varios minutos.</p>"
            ),
            Q("Rodamos 400 horas. Lo difícil fue dejar fuera a las ovejas.", "Sara Gil Arteaga"),
            P("<p>La película se estrenará en salas en primavera.</p>"),
        ),
        authors=("ines-robledo",),
        tags=(
            topic("Cine"),
            place("Valdemora"),
            person("Sara Gil Arteaga"),
            org("Festival de Cine de Valdemora"),
        ),
        related=("jazz-festival", "es-exposicion-fotografa"),
        access="free",
        hours_ago=64,
    ),
    Story(
        key="es-exposicion-fotografa",
        language="es-es",
        section="culture",
        headline="Una exposición rescata a Amparo Lluch, la fotógrafa de los mercados",
        slug="exposicion-rescata-amparo-lluch-fotografa",
        standfirst=(
            "El museo provincial muestra 120 imágenes que la fotógrafa tomó entre 1958 y 1975 y "
            "que su familia guardó en cajas de zapatos."
        ),
        dateline="VALDEMORA",
        lead=IMG("skyline", "Una sala de la exposición dedicada a Amparo Lluch.", ART),
        body=(
            P(
                "<p>Amparo Lluch fotografió durante diecisiete años los mercados de abastos de la "
                "región: vendedoras, básculas, cajas de fruta y niños que esperaban a sus madres. "
                "Nunca expuso en vida.</p>"
            ),
            P(
                "<p>Sus nietos encontraron más de 3.000 negativos al vaciar la casa familiar y los "
                "llevaron al museo provincial, que ha seleccionado 120 para la muestra.</p>"
            ),
            Q(
                "Miraba a la gente a la altura de los ojos. Nadie posa en sus fotografías.",
                "Elena Barrios, comisaria de la exposición",
            ),
            P("<p>La exposición podrá visitarse hasta el 30 de marzo, con entrada gratuita.</p>"),
        ),
        authors=("ines-robledo",),
        tags=(topic("Fotografía"), topic("Arte"), person("Amparo Lluch"), place("Valdemora")),
        related=("es-festival-cine", "meridian-prize"),
        access="metered",
        hours_ago=175,
    ),
    # --- Opinión --------------------------------------------------------------------------
    Story(
        key="es-columna-agua",
        language="es-es",
        section="opinion",
        headline="El agua que no llueve",
        slug="el-agua-que-no-llueve",
        standfirst=(
            "La sequía no es un accidente que pasará con la próxima borrasca. Hay que gobernar "
            "el agua como si fuera a faltar siempre."
        ),
        dateline="",
        lead=IMG("river", "El cauce del Almenar a su paso por Valdemora.", ART),
        body=(
            P(
                "<p>Cada sequía se vive como una desgracia imprevista, y cada vez que vuelve a "
                "llover se olvida. Así llevamos cuarenta años en la cuenca del Almenar.</p>"
            ),
            P(
                "<p>El nuevo Gobierno regional, sea cual sea, tiene una oportunidad: el plan de "
                "sequía se aprobó por unanimidad. Es raro que todos estén de acuerdo en algo, y "
                "sería una pena desperdiciarlo.</p>"
            ),
            Q(
                "Reparar una tubería no sale en la foto, pero ahorra más agua que cualquier "
                "trasvase."
            ),
            P(
                "<p>Empezar por las fugas, medir lo que se consume y pagar lo que cuesta: no hay "
                "nada más difícil ni más urgente.</p>"
            ),
        ),
        authors=("carmen-soto",),
        tags=(topic("Sequía"), topic("Agua"), place("Río Almenar")),
        related=("es-embalses", "es-plan-sequia"),
        access="metered",
        hours_ago=10,
    ),
)
