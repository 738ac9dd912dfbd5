"""The demo newsroom's staff. Bylines are shared by both editions, so the Madrid staff's
biographies are in Spanish and the American staff's in English."""

from __future__ import annotations

from .corpus import AuthorSpec

AUTHORS: tuple[AuthorSpec, ...] = (
    AuthorSpec(
        name="Margaret Okafor",
        slug="margaret-okafor",
        role="City Hall reporter",
        bio=(
            "Margaret Okafor covers the Port Ashby City Council, the city budget and the "
            "neighborhood meetings where most local decisions are really made. She joined "
            "Broadsheet after eight years at a regional daily."
        ),
    ),
    AuthorSpec(
        name="Daniel Whitaker",
        slug="daniel-whitaker",
        role="Politics correspondent",
        bio=(
            "Daniel Whitaker writes about elections, campaign money and the state legislature. "
            "He has covered four statewide races and still reads every filing himself."
        ),
    ),
    AuthorSpec(
        name="Priya Natarajan",
        slug="priya-natarajan",
        role="Economics editor",
        bio=(
            "Priya Natarajan edits the Economy section and writes about jobs, housing and the "
            "cost of living. Before journalism she spent six years as a labor-market analyst."
        ),
    ),
    AuthorSpec(
        name="Thomas Lindqvist",
        slug="thomas-lindqvist",
        role="Environment reporter",
        bio=(
            "Thomas Lindqvist reports on rivers, water and land use across the region. He is "
            "happiest with a pair of waders and a public-records request."
        ),
    ),
    AuthorSpec(
        name="Grace Holloway",
        slug="grace-holloway",
        role="Culture critic",
        bio=(
            "Grace Holloway reviews music, books and the visual arts. She has written about the "
            "Port Ashby Jazz Festival since its second year."
        ),
    ),
    AuthorSpec(
        name="Samuel Adeyemi",
        slug="samuel-adeyemi",
        role="Technology reporter",
        bio=(
            "Samuel Adeyemi covers the technology industry, from start-up funding to the people "
            "who lose their jobs when the money runs out."
        ),
    ),
    AuthorSpec(
        name="Eleanor Marsh",
        slug="eleanor-marsh",
        role="Columnist",
        bio=(
            "Eleanor Marsh writes a weekly column on civic life. She was a public librarian for "
            "twelve years and has opinions about opening hours."
        ),
    ),
    AuthorSpec(
        name="Lucía Ferrer",
        slug="lucia-ferrer",
        role="Corresponsal política",
        bio=(
            "Lucía Ferrer cubre la política autonómica y municipal desde Madrid. Antes trabajó "
            "diez años en la redacción de una radio local."
        ),
    ),
    AuthorSpec(
        name="Javier Montalbán",
        slug="javier-montalban",
        role="Redactor de Economía",
        bio=(
            "Javier Montalbán escribe sobre empleo, vivienda y el campo. Le interesan sobre todo "
            "las cifras que no salen en las ruedas de prensa."
        ),
    ),
    AuthorSpec(
        name="Inés Robledo",
        slug="ines-robledo",
        role="Crítica cultural",
        bio=(
            "Inés Robledo escribe de música, cine y libros. Dirigió durante años un pequeño "
            "festival de cortometrajes."
        ),
    ),
    AuthorSpec(
        name="Carmen Soto",
        slug="carmen-soto",
        role="Medio ambiente",
        bio=(
            "Carmen Soto sigue la sequía, los embalses y la política del agua. Es ingeniera "
            "agrónoma de formación."
        ),
    ),
    AuthorSpec(
        name="Andrés Quiroga",
        slug="andres-quiroga",
        role="Redactor de Internacional",
        bio=(
            "Andrés Quiroga coordina la sección de Internacional y traduce, cuando hace falta, "
            "las crónicas de la redacción estadounidense."
        ),
    ),
)
