"""The US Edition's demo sections and stories. Fiction: the city of Port Ashby, Linden County,
the Tessaly River and everyone quoted are invented."""

from __future__ import annotations

from .corpus import Paragraph as P  # noqa: N817  (short names keep the text readable)
from .corpus import Picture as IMG  # noqa: N814
from .corpus import PullQuote as Q
from .corpus import RelatedCard, SectionSpec, Story, org, person, place, topic
from .corpus import Subhead as H

CARD = RelatedCard()
ART = "Illustration: Broadsheet graphics desk"

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("world", "World", "world", "News from beyond our borders."),
    SectionSpec("us", "U.S.", "us", "Port Ashby, Linden County and the rest of the country."),
    SectionSpec(
        "politics", "Politics", "politics", "Campaigns, councils and the people who run them."
    ),
    SectionSpec(
        "economy", "Economy", "economy", "Jobs, prices, housing and the businesses we depend on."
    ),
    SectionSpec("culture", "Culture", "culture", "Music, books, art and the stage."),
    SectionSpec(
        "opinion", "Opinion", "opinion", "Columns and editorials. Opinions are the authors' own."
    ),
)

TOP_STORIES = (
    "dam-removal",
    "county-election",
    "brightwater-layoffs",
    "jazz-festival",
    "shipping-accord",
)

STORIES: tuple[Story, ...] = (
    # --- U.S. ------------------------------------------------------------------------------
    Story(
        key="dam-removal",
        language="en-us",
        section="us",
        headline=(
            "Harmon Mill Dam comes down, and the Tessaly runs free for the first time in a century"
        ),
        slug="harmon-mill-dam-comes-down",
        standfirst=(
            "Crews breached the last section of the concrete dam on Tuesday, ending a decade of "
            "planning to reopen forty miles of river to migrating fish."
        ),
        dateline="PORT ASHBY",
        lead=IMG(
            "river",
            "The Tessaly River below the former Harmon Mill Dam site on Tuesday afternoon.",
            ART,
        ),
        body=(
            P(
                "<p>Shortly after 2 p.m. on Tuesday, an excavator on a gravel ramp pulled away the "
                "final slab of the Harmon Mill Dam, and the Tessaly River began to find its old "
                "channel. A few hundred people watched from the Mill Street bridge, some of them "
                "holding photographs of the river before the dam was built in 1921.</p>"
            ),
            P(
                "<p>The removal, which cost $38 million and was paid for largely with federal "
                "restoration grants, is the largest of its kind in the state. Biologists expect "
                "salmon and steelhead to reach spawning grounds upstream as early as this fall.</p>"
            ),
            H("Ten years of meetings"),
            P(
                "<p>The dam had not produced electricity since 1974. Its owner, the Linden Valley "
                "Water District, spent most of the last decade weighing repairs against removal, "
                "and the <em>Tessaly River Trust</em> spent it holding public meetings in church "
                "halls and fire stations along the valley.</p>"
            ),
            Q(
                "My grandfather fished this river before the dam. I never thought I would see it "
                "move like this.",
                "Walter Ames, a retired millwright who watched from the bridge",
            ),
            IMG(
                "fields",
                "Sediment that built up behind the dam will be replanted with native grasses.",
                ART,
            ),
            P(
                "<p>Not everyone is celebrating. Owners of lakeside homes on the former reservoir "
                "now face a wide mudflat, and the district has promised to replant it within two "
                "years. Dr. Naomi Park, a fisheries biologist with the trust, said the first "
                "season would look messy. \u201cRivers heal faster than people expect,\u201d she "
                "said, \u201cbut not overnight.\u201d</p>"
            ),
            CARD,
        ),
        authors=("thomas-lindqvist",),
        tags=(
            topic("River restoration"),
            place("Tessaly River"),
            place("Port Ashby"),
            org("Linden Valley Water District"),
            org("Tessaly River Trust"),
            person("Naomi Park"),
        ),
        related=("dam-editorial", "salmon-count", "water-sharing-bill"),
        access="free",
        hours_ago=30,
        updated_after_hours=5,
        correction=(
            "An earlier version of this article gave the wrong year for the dam's construction. "
            "It was built in 1921, not 1912."
        ),
    ),
    Story(
        key="salmon-count",
        language="en-us",
        section="us",
        headline="Volunteers begin counting fish in the reopened Tessaly",
        slug="volunteers-begin-counting-fish-tessaly",
        standfirst=(
            "Two hundred residents have signed up to watch the river at five stations, in a "
            "count that will show whether the dam removal is working."
        ),
        dateline="PORT ASHBY",
        lead=IMG("river", "A counting station above the Mill Street bridge.", ART),
        body=(
            P(
                "<p>The Tessaly River Trust has trained more than two hundred volunteers to count "
                "fish from platforms along the river, beginning this week and running through "
                "November. Each shift lasts two hours, and counters record species, size and "
                "direction on a shared tablet.</p>"
            ),
            P(
                "<p>Organizers say the count matters because the grants that paid for the removal "
                "require ten years of monitoring. Volunteer data will be checked against an "
                "underwater camera installed near the old dam site.</p>"
            ),
            Q(
                "You do not need a degree. You need patience and a good hat.",
                "Lena Ortiz, volunteer coordinator",
            ),
            H("How to join"),
            P(
                "<p>Training sessions are held on Saturday mornings at the trust's office on "
                "Water Street. Volunteers must be at least sixteen, and the trust provides "
                "polarized glasses and life jackets.</p>"
            ),
        ),
        authors=("thomas-lindqvist",),
        tags=(topic("River restoration"), place("Tessaly River"), org("Tessaly River Trust")),
        related=("dam-removal",),
        access="free",
        hours_ago=6,
    ),
    Story(
        key="council-budget",
        language="en-us",
        section="us",
        headline="Council passes $412 million budget after late-night fight over library hours",
        slug="council-passes-budget-library-hours",
        standfirst=(
            "The Port Ashby City Council approved next year's spending plan 6 to 3, restoring "
            "Sunday hours at four branch libraries at the last minute."
        ),
        dateline="PORT ASHBY",
        lead=IMG(
            "chamber", "The Port Ashby City Council chamber during Monday's budget vote.", ART
        ),
        body=(
            P(
                "<p>The vote came just before midnight on Monday, after five hours of public "
                "comment and two failed amendments. The budget raises spending by 3.1 percent, "
                "most of it for police and firefighter contracts signed last spring.</p>"
            ),
            P(
                "<p>The sharpest debate was over the libraries. Mayor Helen Castellano's draft "
                "had closed four branches on Sundays to save $640,000. Council member Rosa "
                "Delgado-Price moved to restore the hours by delaying the purchase of two street "
                "sweepers, and her amendment passed 5 to 4.</p>"
            ),
            H("What changes for residents"),
            P(
                "<p>Water and sewer rates will rise by about $4 a month for a typical household. "
                "Parking meters downtown will run until 8 p.m. instead of 6 p.m., a change the "
                "city expects to bring in $1.2 million.</p>"
            ),
            Q(
                "A library on a Sunday afternoon is the only quiet, warm, free room some of our "
                "residents have.",
                "Council member Rosa Delgado-Price",
            ),
            P(
                "<p>The three members who voted against the budget said it relied too heavily on "
                "one-time federal money. Council President Marcus Feld said the council would "
                "revisit the forecast in January.</p>"
            ),
            CARD,
        ),
        authors=("margaret-okafor",),
        tags=(
            topic("City budget"),
            topic("Libraries"),
            place("Port Ashby"),
            org("Port Ashby City Council"),
            person("Helen Castellano"),
            person("Rosa Delgado-Price"),
        ),
        related=("library-column", "budget-column"),
        access="metered",
        hours_ago=54,
    ),
    Story(
        key="late-buses",
        language="en-us",
        section="us",
        headline="Linden County Transit will run buses past midnight on three routes",
        slug="linden-county-transit-late-night-buses",
        standfirst=(
            "Hospital workers and restaurant staff pushed for the change for years. The pilot "
            "starts in March and will cost $2.3 million a year."
        ),
        dateline="PORT ASHBY",
        lead=IMG("skyline", "Downtown Port Ashby, where two of the late-night routes begin.", ART),
        body=(
            P(
                "<p>Linden County Transit's board voted on Thursday to extend service on Routes 4, "
                "9 and 12 until 1:30 a.m., the first late-night service in the county since "
                "2009. The three routes connect downtown with St. Brigid's Hospital, the "
                "airport and the east-side neighborhoods where many night workers live.</p>"
            ),
            Q(
                "I finish at 11:30. For six years my choice has been a $22 taxi or a "
                "ninety-minute walk.",
                "Denise Coleman, a hospital cook who spoke at the meeting",
            ),
            P(
                "<p>The agency will pay for the pilot with a state grant for the first eighteen "
                "months. After that, the board will decide whether ridership justifies the "
                "cost.</p>"
            ),
            P(
                "<p>Buses on the extended routes will run every thirty minutes after 10 p.m. "
                "Riders can check arrival times on the agency's website or by text message.</p>"
            ),
        ),
        authors=("margaret-okafor",),
        tags=(topic("Public transit"), place("Linden County"), org("Linden County Transit")),
        related=("council-budget",),
        access="metered",
        hours_ago=100,
    ),
    Story(
        key="school-breakfast",
        language="en-us",
        section="us",
        headline="Every elementary school in Port Ashby will serve free breakfast this fall",
        slug="free-breakfast-every-elementary-school",
        standfirst=(
            "The school district is expanding a program that began at six schools. Teachers say "
            "the difference shows up before the first bell."
        ),
        dateline="PORT ASHBY",
        lead=IMG("fields", "Breakfast is served in classrooms rather than the cafeteria.", ART),
        body=(
            P(
                "<p>The Port Ashby School Board voted unanimously on Wednesday to offer free "
                "breakfast to all 11,400 elementary students, regardless of family income. The "
                "district will serve the meals in classrooms during the first ten minutes of the "
                "day, a model it tested at six schools last year.</p>"
            ),
            P(
                "<p>At those schools, tardiness fell by a fifth and visits to the nurse's office "
                "before lunch dropped by nearly a third, according to a district report.</p>"
            ),
            H("Who pays"),
            P(
                "<p>Most of the cost is covered by federal meal reimbursements. The district "
                "expects to spend about $300,000 a year of its own money on staff and "
                "equipment.</p>"
            ),
            Q("Hungry children do not learn fractions.", "Superintendent Alicia Moreno"),
        ),
        authors=("margaret-okafor",),
        tags=(topic("Education"), place("Port Ashby"), org("Port Ashby School District")),
        related=("council-budget",),
        access="free",
        hours_ago=170,
    ),
    # --- Politics --------------------------------------------------------------------------
    Story(
        key="county-election",
        language="en-us",
        section="politics",
        headline="Benning wins Linden County executive race by about 3,100 votes",
        slug="benning-wins-linden-county-executive-race",
        standfirst=(
            "The former parks director defeated Raymond Osei in the closest county race in two "
            "decades, with turnout the highest for a local election since 2004."
        ),
        dateline="PORT ASHBY",
        lead=IMG("chamber", "Supporters at Carla Benning's election-night gathering.", ART),
        body=(
            P(
                "<p>Carla Benning will be the next Linden County executive after winning 51.4 "
                "percent of the vote in Tuesday's election, according to unofficial results "
                "released by the county elections office on Wednesday morning.</p>"
            ),
            P(
                "<p>Ms. Benning, who ran the county's parks department for nine years, campaigned "
                "on water planning and road repairs. Mr. Osei, a two-term county commissioner, "
                "focused on property taxes and won most of the rural precincts east of the "
                "river.</p>"
            ),
            Q("People voted for someone who will answer the phone. I intend to.", "Carla Benning"),
            H("A high turnout"),
            P(
                "<p>Forty-seven percent of registered voters cast ballots, well above the 31 "
                "percent of four years ago. Election officials credited the mail-in ballots sent "
                "to every household and the attention drawn by the dam removal, which both "
                "candidates discussed at length.</p>"
            ),
            P(
                "<p>Mr. Osei conceded in a short statement and said he would return to private "
                "practice as an accountant. The results will be certified on the 28th.</p>"
            ),
            CARD,
        ),
        authors=("daniel-whitaker",),
        tags=(
            topic("Elections"),
            place("Linden County"),
            person("Carla Benning"),
            person("Raymond Osei"),
        ),
        related=("small-donors", "redistricting-hearing"),
        access="free",
        hours_ago=20,
        updated_after_hours=9,
        correction=(
            "An earlier version of this article misstated the winning margin. It was about "
            "3,100 votes, not 3,800."
        ),
    ),
    Story(
        key="small-donors",
        language="en-us",
        section="politics",
        headline="Late filings show small donors kept the county race close",
        slug="small-donors-county-race-filings",
        standfirst=(
            "More than half of the money in the Linden County executive race came in gifts of "
            "$100 or less, a first for a local contest here."
        ),
        dateline="PORT ASHBY",
        lead=IMG("chart", "Contributions by size in the Linden County executive race.", ART),
        body=(
            P(
                "<p>Campaign finance reports filed on Monday show the two candidates raised a "
                "combined $1.9 million, and that 54 percent of it came from contributions of "
                "$100 or less. Four years ago, small gifts made up less than a quarter of the "
                "total.</p>"
            ),
            P(
                "<p>Raymond Osei's campaign received more than 6,000 small contributions in the "
                "final three weeks, many after a televised debate in which he promised to freeze "
                "county property taxes.</p>"
            ),
            Q(
                "Local races used to be paid for by a few dozen developers and lawyers. That is "
                "changing quickly.",
                "Prof. Ruth Anand, who studies campaign finance at Linden State University",
            ),
            P(
                "<p>The largest single donor to either campaign was a carpenters' union, which "
                "gave the legal maximum of $5,000 to Carla Benning.</p>"
            ),
        ),
        authors=("daniel-whitaker",),
        tags=(
            topic("Elections"),
            topic("Campaign finance"),
            person("Raymond Osei"),
            person("Carla Benning"),
        ),
        related=("county-election",),
        access="subscribers",
        hours_ago=8,
    ),
    Story(
        key="redistricting-hearing",
        language="en-us",
        section="politics",
        headline="Redistricting commission hears from 200 residents in a nine-hour session",
        slug="redistricting-commission-nine-hour-session",
        standfirst=(
            "Most speakers asked the commission to keep Port Ashby's east-side neighborhoods in a "
            "single district."
        ),
        dateline="PORT ASHBY",
        lead=IMG(
            "chamber",
            "The redistricting commission's hearing room at Linden State University.",
            ART,
        ),
        body=(
            P(
                "<p>The state's independent redistricting commission held the longest of its "
                "twelve public hearings in Port Ashby on Saturday. Speakers had two minutes each, "
                "and the last of them finished shortly before 7 p.m.</p>"
            ),
            P(
                "<p>The draft map would divide the east side between two legislative districts "
                "along Cannery Road. Residents argued that the neighborhoods share schools, a "
                "hospital and a flood plain, and should share a representative.</p>"
            ),
            Q(
                "We are one neighborhood on both sides of Cannery Road. The map should say so.",
                "Luis Herrera, who has lived on the east side for thirty years",
            ),
            H("What comes next"),
            P(
                "<p>The commission will publish a revised draft next month and must adopt final "
                "maps by the end of the year.</p>"
            ),
        ),
        authors=("daniel-whitaker",),
        tags=(topic("Redistricting"), place("Port Ashby"), org("State Redistricting Commission")),
        related=("county-election",),
        access="metered",
        hours_ago=140,
    ),
    Story(
        key="water-sharing-bill",
        language="en-us",
        section="politics",
        headline="Senate panel advances a bill to share river water in dry years",
        slug="senate-panel-advances-water-sharing-bill",
        standfirst=(
            "The measure would let farms and cities trade water allocations during droughts "
            "instead of fighting over them in court."
        ),
        dateline="THE CAPITOL",
        lead=IMG("fields", "Irrigated fields in the Linden Valley.", ART),
        body=(
            P(
                "<p>A State Senate committee voted 7 to 2 on Tuesday to send a water-sharing bill "
                "to the full chamber. The bill would create a registry where irrigation "
                "districts and cities could lease water to one another for a single season.</p>"
            ),
            P(
                "<p>Farm groups were divided. Larger growers supported the bill, while several "
                "small farmers told the committee they feared being outbid by cities.</p>"
            ),
            Q(
                "In a dry year everybody is short. This lets us be short together.",
                "State Sen. Maria Lund, the bill's sponsor",
            ),
            P("<p>The full Senate is expected to vote before the session ends in May.</p>"),
        ),
        authors=("daniel-whitaker", "thomas-lindqvist"),
        tags=(topic("Drought"), topic("Water"), person("Maria Lund"), place("Linden Valley")),
        related=("drought-insurance", "dam-removal"),
        access="metered",
        hours_ago=190,
    ),
    # --- World -----------------------------------------------------------------------------
    Story(
        key="shipping-accord",
        language="en-us",
        section="world",
        headline="Maritime nations agree to cut shipping emissions by half by 2040",
        slug="maritime-nations-agree-cut-shipping-emissions",
        standfirst=(
            "After two weeks of talks in the port city of Varnholm, forty-one countries signed an "
            "accord that sets the first binding targets for cargo ships."
        ),
        dateline="VARNHOLM",
        lead=IMG("harbour", "Container ships at anchor outside Varnholm during the talks.", ART),
        body=(
            P(
                "<p>Delegates from forty-one countries signed the Varnholm Accord early on "
                "Saturday, committing the ships that fly their flags to halve greenhouse gas "
                "emissions by 2040 compared with 2020 levels. The agreement covers about 70 "
                "percent of the world's merchant fleet.</p>"
            ),
            P(
                "<p>The accord sets a levy on fuel that will rise each year from 2028, and "
                "sends part of the money to ports in poorer countries that need to install "
                "shore power and refuelling for cleaner fuels.</p>"
            ),
            H("The holdouts"),
            P(
                "<p>Several large flag states did not sign, arguing that the levy would raise "
                "the cost of food imports. Negotiators left the text open for them to join "
                "within two years.</p>"
            ),
            Q(
                "This is not everything we wanted. It is the first thing we have ever agreed.",
                "Ingrid Solberg, who chaired the talks",
            ),
            CARD,
        ),
        authors=("priya-natarajan",),
        tags=(topic("Climate"), topic("Shipping"), place("Varnholm"), person("Ingrid Solberg")),
        related=("port-volumes", "night-train"),
        access="metered",
        hours_ago=40,
    ),
    Story(
        key="saravan-drought",
        language="en-us",
        section="world",
        headline="A second dry winter leaves the Saravan Basin rationing water",
        slug="second-dry-winter-saravan-basin-rationing",
        standfirst=(
            "Towns along the basin now receive piped water four days a week, and farmers have "
            "left a third of their fields unplanted."
        ),
        dateline="SARAVAN",
        lead=IMG("fields", "Unplanted fields near the town of Kesra.", ART),
        body=(
            P(
                "<p>The reservoirs that supply the Saravan Basin are at 19 percent of capacity, "
                "the lowest level since records began, after a second winter with less than half "
                "the usual rain and snow.</p>"
            ),
            P(
                "<p>Regional authorities introduced rationing last month. Households receive "
                "water four days a week, and hotels and car washes face limits on how much they "
                "can draw.</p>"
            ),
            IMG("river", "The Saravan River, reduced to a chain of pools near its mouth.", ART),
            P(
                "<p>Farmers in the basin grow much of the country's wheat and chickpeas. Many "
                "have switched to drought-tolerant barley, and some have sold livestock they can "
                "no longer water.</p>"
            ),
            Q(
                "We plant for the rain we had. We have to learn to plant for the rain we get.",
                "Amir Haddad, a farmer in Kesra",
            ),
        ),
        authors=("thomas-lindqvist",),
        tags=(topic("Drought"), topic("Agriculture"), place("Saravan Basin")),
        related=("drought-insurance", "shipping-accord"),
        access="metered",
        hours_ago=75,
    ),
    Story(
        key="night-train",
        language="en-us",
        section="world",
        headline="The night train between Varnholm and Castellmar returns after twenty years",
        slug="night-train-varnholm-castellmar-returns",
        standfirst=(
            "The first sleeper in two decades left on Friday evening, fully booked, with a "
            "dining car and seats for bicycles."
        ),
        dateline="VARNHOLM",
        lead=IMG("fields", "The new sleeper crosses farmland in the early morning.", ART),
        body=(
            P(
                "<p>The sleeper train pulled out of Varnholm Central at 8:14 p.m. on Friday and "
                "was due in Castellmar at 9:40 the next morning. By plane, counting the trips to "
                "and from the airports, the journey takes about five hours.</p>"
            ),
            P(
                "<p>The route closed in 2005 when low-cost flights took most of its passengers. "
                "Its return was paid for by the two national rail companies and a regional "
                "climate fund.</p>"
            ),
            Q(
                "You go to sleep in one country and wake up in another with your coffee ready.",
                "Marta Vell, a passenger",
            ),
            P(
                "<p>Tickets start at 49 euros for a seat and 129 for a bed in a shared cabin. "
                "The operator says the first three months are almost sold out.</p>"
            ),
            CARD,
        ),
        authors=("priya-natarajan",),
        tags=(topic("Rail"), topic("Travel"), place("Varnholm"), place("Castellmar")),
        related=("slow-trains-column", "shipping-accord"),
        access="free",
        hours_ago=120,
    ),
    Story(
        key="reef-survey",
        language="en-us",
        section="world",
        headline="Divers find a reef recovering faster than scientists expected",
        slug="reef-recovering-faster-than-expected",
        standfirst=(
            "A survey off the Isles of Mereth found new coral growth across two-thirds of a reef "
            "damaged by warm water six years ago."
        ),
        dateline="MERETH",
        lead=IMG("harbour", "Survey boats in the Mereth lagoon.", ART),
        body=(
            P(
                "<p>A team of thirty divers spent three weeks photographing the reef that "
                "surrounds the Isles of Mereth, square metre by square metre. They found living "
                "coral across 64 percent of the area that had turned white in a heatwave six "
                "years ago.</p>"
            ),
            P(
                "<p>Scientists credit a ban on net fishing inside the lagoon, which allowed "
                "grazing fish to keep algae off the recovering coral.</p>"
            ),
            Q(
                "Reefs can come back if we give them a few quiet years.",
                "Dr. Sefa Tuilagi, who led the survey",
            ),
            P(
                "<p>The researchers warned that another heatwave could undo the gains, and have "
                "asked for the fishing ban to be made permanent.</p>"
            ),
        ),
        authors=("thomas-lindqvist",),
        tags=(topic("Oceans"), topic("Science"), place("Isles of Mereth"), person("Sefa Tuilagi")),
        related=("shipping-accord",),
        access="free",
        hours_ago=210,
    ),
    Story(
        key="glacier-network",
        language="en-us",
        section="world",
        headline="A network of weather stations will watch the Tarn Range's glaciers",
        slug="weather-stations-tarn-range-glaciers",
        standfirst=(
            "Twenty-four solar-powered stations will report every ten minutes from altitudes "
            "where few measurements have ever been taken."
        ),
        dateline="TARN",
        lead=IMG("fields", "A weather station on the edge of the Aster Glacier.", ART),
        body=(
            P(
                "<p>Climbers and scientists finished installing the last of twenty-four weather "
                "stations on the glaciers of the Tarn Range this week. The stations measure "
                "temperature, wind, snow depth and sunlight, and send their readings by "
                "satellite.</p>"
            ),
            P(
                "<p>The glaciers supply rivers that irrigate farms in three countries. Until now, "
                "forecasts of their melt relied on a handful of stations in the valleys.</p>"
            ),
            Q(
                "We have been forecasting the melt from the valley floor. Now we can see the "
                "glacier itself.",
                "Dr. Elin Rask, a glaciologist who helped plan the network",
            ),
            H("Open data"),
            P(
                "<p>The readings will be published online, free of charge, within an hour of "
                "being taken.</p>"
            ),
        ),
        authors=("thomas-lindqvist",),
        tags=(topic("Climate"), topic("Science"), place("Tarn Range")),
        related=("saravan-drought", "reef-survey"),
        access="metered",
        hours_ago=230,
    ),
    # --- Economy ---------------------------------------------------------------------------
    Story(
        key="brightwater-layoffs",
        language="en-us",
        section="economy",
        headline="Brightwater Systems to cut 900 jobs as cloud contracts slow",
        slug="brightwater-systems-cut-900-jobs",
        standfirst=(
            "Port Ashby's largest technology employer will close its customer-support division "
            "and two engineering teams by the end of March."
        ),
        dateline="PORT ASHBY",
        lead=IMG("skyline", "Brightwater Systems' offices on the Port Ashby waterfront.", ART),
        body=(
            P(
                "<p>Brightwater Systems, which makes software for managing data centers, said on "
                "Thursday that it would lay off about 900 employees, or 14 percent of its "
                "workforce. Roughly 600 of the jobs are in Port Ashby.</p>"
            ),
            P(
                "<p>Chief executive Alan Mercer told employees in a video call that two large "
                "customers had not renewed their contracts and that growth had slowed for three "
                "consecutive quarters.</p>"
            ),
            Q(
                "These are good people, and this is not a reflection of their work.",
                "Alan Mercer, chief executive",
            ),
            H("Severance and support"),
            P(
                "<p>Employees will receive twelve weeks of pay plus two weeks for each year of "
                "service, and health coverage through June. The state labor department will hold "
                "a job fair for affected workers next month.</p>"
            ),
            P("<p>Shares in the company rose 6 percent after the announcement.</p>"),
            CARD,
        ),
        authors=("samuel-adeyemi",),
        tags=(
            topic("Technology"),
            topic("Jobs"),
            org("Brightwater Systems"),
            person("Alan Mercer"),
            place("Port Ashby"),
        ),
        related=("tech-job-market", "housing-permits"),
        access="metered",
        hours_ago=28,
        updated_after_hours=3,
    ),
    Story(
        key="tech-job-market",
        language="en-us",
        section="economy",
        headline="Laid-off software workers find a crowded job market",
        slug="laid-off-software-workers-crowded-market",
        standfirst=(
            "Recruiters say openings for experienced engineers are still there, but each one now "
            "draws hundreds of applicants."
        ),
        dateline="PORT ASHBY",
        lead=IMG("chart", "Software job postings in the Port Ashby area, by month.", ART),
        body=(
            P(
                "<p>Openings for software developers in the Port Ashby area fell by a third over "
                "the past year, according to the state's labor department, while the number of "
                "people looking for those jobs nearly doubled.</p>"
            ),
            P(
                "<p>Several former Brightwater employees said they had applied to dozens of "
                "positions in the first week. Some are considering work outside the industry, "
                "including teaching and public agencies that had struggled to hire engineers.</p>"
            ),
            Q(
                "The county has been trying to hire a database administrator for two years. Now "
                "we have forty applicants.",
                "Tom Reyes, Linden County's technology director",
            ),
            P(
                "<p>Economists note that overall unemployment in the county remains low, at 3.9 "
                "percent.</p>"
            ),
        ),
        authors=("samuel-adeyemi", "priya-natarajan"),
        tags=(topic("Technology"), topic("Jobs"), org("Brightwater Systems")),
        related=("brightwater-layoffs",),
        access="subscribers",
        hours_ago=4,
    ),
    Story(
        key="port-volumes",
        language="en-us",
        section="economy",
        headline="Port of Ashby container traffic rises for a third straight month",
        slug="port-of-ashby-container-traffic-rises",
        standfirst=(
            "Imports of furniture and machinery led the increase, and the port expects its "
            "busiest year since 2019."
        ),
        dateline="PORT ASHBY",
        lead=IMG("harbour", "Cranes at the Port of Ashby's south terminal.", ART),
        body=(
            P(
                "<p>The Port of Ashby handled 118,000 containers last month, up 9 percent from a "
                "year earlier, the port authority said on Monday.</p>"
            ),
            P(
                "<p>Port officials attributed part of the increase to shipping lines moving "
                "routes away from larger, congested ports further south.</p>"
            ),
            Q(
                "Every ship that moves its route here is a ship we have to handle cleanly.",
                "Dana Whitford, the port's executive director",
            ),
            H("Cleaner cranes"),
            P(
                "<p>The port is spending $80 million on electric cranes and shore power, "
                "partly to meet the emissions rules in the new Varnholm Accord.</p>"
            ),
        ),
        authors=("priya-natarajan",),
        tags=(topic("Trade"), topic("Shipping"), org("Port of Ashby"), place("Port Ashby")),
        related=("shipping-accord",),
        access="metered",
        hours_ago=160,
    ),
    Story(
        key="drought-insurance",
        language="en-us",
        section="economy",
        headline="A dry spring pushes Linden Valley farmers toward drought insurance",
        slug="dry-spring-linden-valley-drought-insurance",
        standfirst=(
            "Sign-ups for rainfall-index policies have tripled, and lenders are starting to ask "
            "for them before approving loans."
        ),
        dateline="LINDEN VALLEY",
        lead=IMG("fields", "Wheat fields in the Linden Valley after a dry April.", ART),
        body=(
            P(
                "<p>Farmers in the Linden Valley bought three times as many rainfall-index "
                "insurance policies this spring as last year, according to the county farm "
                "bureau. The policies pay out automatically when rainfall at a nearby station "
                "falls below a set level.</p>"
            ),
            P(
                "<p>April was the driest on record at the Linden Valley airport, with less than a "
                "tenth of an inch of rain.</p>"
            ),
            Q(
                "My banker asked me whether I had it before he asked how the cattle were doing.",
                "Ben Hartley, who farms 900 acres near Millford",
            ),
            H("Costs rising"),
            P(
                "<p>Premiums have risen by about a fifth as insurers price in more frequent dry "
                "years. Federal subsidies cover part of the cost for smaller farms.</p>"
            ),
        ),
        authors=("priya-natarajan",),
        tags=(topic("Drought"), topic("Agriculture"), place("Linden Valley")),
        related=("water-sharing-bill", "saravan-drought"),
        access="subscribers",
        hours_ago=95,
    ),
    Story(
        key="housing-permits",
        language="en-us",
        section="economy",
        headline="Housing permits in Port Ashby reach a ten-year high",
        slug="housing-permits-port-ashby-ten-year-high",
        standfirst=(
            "Most of the new homes are apartments near the waterfront, where the city relaxed "
            "height limits two years ago."
        ),
        dateline="PORT ASHBY",
        lead=IMG("skyline", "New apartment buildings rising along Cannery Road.", ART),
        body=(
            P(
                "<p>The city issued permits for 2,140 new homes in the last twelve months, the "
                "most since 2014, according to the planning department.</p>"
            ),
            P(
                "<p>About 80 percent were in buildings of five stories or more, most of them on "
                "former industrial land along Cannery Road.</p>"
            ),
            Q(
                "For the first time in a decade, we are building faster than we are growing.",
                "Jonah Pike, the city's planning director",
            ),
            P(
                "<p>Rents in the city rose 2 percent over the year, the smallest increase since "
                "2020.</p>"
            ),
        ),
        authors=("priya-natarajan",),
        tags=(topic("Housing"), place("Port Ashby"), person("Jonah Pike")),
        related=("council-budget", "brightwater-layoffs"),
        access="metered",
        hours_ago=200,
    ),
    # --- Culture ---------------------------------------------------------------------------
    Story(
        key="jazz-festival",
        language="en-us",
        section="culture",
        headline="Port Ashby Jazz Festival opens with a tribute to Loretta Vance",
        slug="port-ashby-jazz-festival-opens-loretta-vance",
        standfirst=(
            "The pianist who founded the festival thirty years ago was honoured by a dozen of the "
            "musicians she mentored."
        ),
        dateline="PORT ASHBY",
        lead=IMG("stage", "The opening-night tribute at the Riverside Pavilion.", ART),
        body=(
            P(
                "<p>The thirtieth Port Ashby Jazz Festival opened on Friday night with a concert "
                "for Loretta Vance, the pianist who started it in a parking lot with two borrowed "
                "speakers and a flatbed truck.</p>"
            ),
            P(
                "<p>Twelve musicians, most of whom studied with Ms. Vance, played her "
                "compositions in the order she wrote them. She sat in the front row and, for the "
                "encore, walked up to the piano herself.</p>"
            ),
            Q(
                "I asked for one evening of music in 1995. Nobody told me I could stop.",
                "Loretta Vance",
            ),
            H("Ten days, forty concerts"),
            P(
                "<p>The festival runs until next Sunday, with forty concerts in nine venues. "
                "About half are free, including the afternoon sets on the waterfront.</p>"
            ),
            CARD,
        ),
        authors=("grace-holloway",),
        tags=(
            topic("Jazz"),
            topic("Music"),
            person("Loretta Vance"),
            org("Port Ashby Jazz Festival"),
        ),
        related=("jazz-review", "museum-reopens"),
        access="free",
        hours_ago=50,
    ),
    Story(
        key="jazz-review",
        language="en-us",
        section="culture",
        headline="Review: Eli Banks closes the jazz festival with restraint and wit",
        slug="review-eli-banks-closes-jazz-festival",
        standfirst=(
            "The saxophonist's quartet played short, careful tunes and left the audience wanting "
            "more, which is the point."
        ),
        dateline="PORT ASHBY",
        lead=IMG("stage", "Eli Banks and his quartet at the Harbor Theater.", ART),
        body=(
            P(
                "<p>Eli Banks does not play many notes, and he makes each one count. On Sunday, "
                "closing the festival at the Harbor Theater, his quartet played eleven tunes in "
                "seventy minutes, none longer than eight.</p>"
            ),
            P(
                "<p>The best moments came in the ballads, where Mr. Banks left long silences for "
                "the bassist, Corinne Dufresne, to fill with lines that sounded like questions.</p>"
            ),
            Q("Saying less is harder than saying more.", "Eli Banks, between songs"),
            P(
                "<p>The set ended, unexpectedly, with a children's song from the festival's "
                "first year, played slowly enough that half the hall sang along.</p>"
            ),
        ),
        authors=("grace-holloway",),
        tags=(topic("Jazz"), topic("Music"), person("Eli Banks"), org("Port Ashby Jazz Festival")),
        related=("jazz-festival",),
        access="subscribers",
        hours_ago=3,
    ),
    Story(
        key="museum-reopens",
        language="en-us",
        section="culture",
        headline="The Ashby Museum of Art reopens with twice the gallery space",
        slug="ashby-museum-of-art-reopens",
        standfirst=(
            "A two-year renovation turned a former cannery warehouse into galleries for the "
            "museum's collection of regional painting."
        ),
        dateline="PORT ASHBY",
        lead=IMG("skyline", "The museum's new wing in the former cannery warehouse.", ART),
        body=(
            P(
                "<p>The Ashby Museum of Art reopened on Saturday after a $46 million renovation "
                "that connected its 1930s building to a brick warehouse next door.</p>"
            ),
            P(
                "<p>For the first time, the museum can show most of its collection of paintings "
                "of the Tessaly valley, many of which had not left storage in decades.</p>"
            ),
            Q("We had a wonderful collection and nowhere to put it.", "Director Anika Brandt"),
            P("<p>Admission will be free on the first Sunday of every month.</p>"),
        ),
        authors=("grace-holloway",),
        tags=(topic("Art"), org("Ashby Museum of Art"), place("Port Ashby")),
        related=("jazz-festival", "meridian-prize"),
        access="metered",
        hours_ago=150,
    ),
    Story(
        key="meridian-prize",
        language="en-us",
        section="culture",
        headline="A first novel about a river town wins the Meridian Prize",
        slug="first-novel-river-town-wins-meridian-prize",
        standfirst=(
            "Hannah Cole's \u201cThe Lower Reach\u201d follows three generations of a family that "
            "runs a ferry nobody needs any more."
        ),
        dateline="NEW YORK",
        lead=IMG("river", "The river town that inspired Hannah Cole's novel.", ART),
        body=(
            P(
                "<p>Hannah Cole, a former high school teacher, won the Meridian Prize for fiction "
                "on Wednesday for her first novel, <em>The Lower Reach</em>. The prize carries "
                "an award of $50,000.</p>"
            ),
            P(
                "<p>The judges praised the book's patience and its humour. It tells the story of "
                "a family that keeps running a river ferry for forty years after a bridge is "
                "built a mile upstream.</p>"
            ),
            Q(
                "I wanted to write about people who keep doing something because it is theirs.",
                "Hannah Cole",
            ),
            P("<p>The novel has sold about 12,000 copies since its publication in March.</p>"),
        ),
        authors=("grace-holloway",),
        tags=(topic("Books"), person("Hannah Cole"), org("Meridian Prize")),
        related=("museum-reopens",),
        access="free",
        hours_ago=110,
    ),
    # --- Opinion ---------------------------------------------------------------------------
    Story(
        key="dam-editorial",
        language="en-us",
        section="opinion",
        headline="The dam is gone. Now the real work begins",
        slug="the-dam-is-gone-now-the-work-begins",
        standfirst=(
            "Removing the Harmon Mill Dam was the easy part. Keeping the promises made to the "
            "valley will take longer."
        ),
        dateline="",
        lead=IMG("river", "The river finds its old channel.", ART),
        body=(
            P(
                "<p>It took ten years and thirty-eight million dollars to take down a dam that "
                "had done nothing useful since 1974. That was, in hindsight, the easy part.</p>"
            ),
            P(
                "<p>The water district has promised to replant the old reservoir bed, to protect "
                "the wells of homeowners who depended on it, and to count the fish for a decade. "
                "Each promise needs money in budgets that have not been written yet.</p>"
            ),
            Q("A river restored on paper is not a river restored."),
            P(
                "<p>The county's new executive should make those commitments part of her first "
                "budget, and the council should hold her to it.</p>"
            ),
        ),
        authors=("eleanor-marsh",),
        tags=(
            topic("River restoration"),
            place("Tessaly River"),
            org("Linden Valley Water District"),
        ),
        related=("dam-removal", "county-election"),
        access="metered",
        hours_ago=26,
    ),
    Story(
        key="slow-trains-column",
        language="en-us",
        section="opinion",
        headline="The case for slower trains",
        slug="the-case-for-slower-trains",
        standfirst=(
            "A night train takes longer than a flight. That is exactly why so many people are "
            "booking it."
        ),
        dateline="",
        lead=IMG("fields", "Morning from a sleeper window.", ART),
        body=(
            P(
                "<p>Nobody has ever described an airport security line as restful. A night "
                "train, on the other hand, turns the journey into the one part of a trip where "
                "nothing is expected of you.</p>"
            ),
            P(
                "<p>The return of the sleeper between Varnholm and Castellmar is being sold as a "
                "climate measure, and it is one. But the reason its first three months sold out "
                "is simpler: people like arriving rested.</p>"
            ),
            Q("Speed is not the only thing a journey can offer."),
            P(
                "<p>Our own region had a night service to the coast until 1971. It is worth "
                "asking what it would take to bring it back.</p>"
            ),
        ),
        authors=("eleanor-marsh",),
        tags=(topic("Rail"), topic("Travel")),
        related=("night-train",),
        access="metered",
        hours_ago=90,
    ),
    Story(
        key="library-column",
        language="en-us",
        section="opinion",
        headline="Keep the libraries open on Sundays, and say why",
        slug="keep-libraries-open-on-sundays",
        standfirst=(
            "The council got the vote right on Monday night. It should now make the argument "
            "before next year's budget, not during it."
        ),
        dateline="",
        lead=IMG("skyline", "The Eastside branch library on a Sunday afternoon.", ART),
        body=(
            P(
                "<p>When I worked at the Eastside branch, Sunday was the day the building filled "
                "with people who had nowhere else to be: students without a quiet room, parents "
                "with small children, older readers who came mostly for the company.</p>"
            ),
            P(
                "<p>The council restored Sunday hours by a single vote, with money borrowed from "
                "the street-sweeper budget. That is a rescue, not a plan.</p>"
            ),
            Q("A library is the last public room where nobody asks you to buy anything."),
            P(
                "<p>The city should publish what Sunday opening costs and who uses it, and "
                "decide the question on those numbers in the spring.</p>"
            ),
        ),
        authors=("eleanor-marsh",),
        tags=(topic("Libraries"), topic("City budget"), place("Port Ashby")),
        related=("council-budget",),
        access="free",
        hours_ago=44,
    ),
    Story(
        key="budget-column",
        language="en-us",
        section="opinion",
        headline="Port Ashby's budget leans on money it will not have next year",
        slug="port-ashby-budget-leans-on-one-time-money",
        standfirst=(
            "Eleven million dollars of federal relief is paying for recurring costs. The bill "
            "comes due in eighteen months."
        ),
        dateline="",
        lead=IMG("chart", "Port Ashby's general fund, with one-time money shown in orange.", ART),
        body=(
            P(
                "<p>The budget the council passed this week is balanced, in the way a household "
                "is balanced when it pays the rent from an inheritance.</p>"
            ),
            P(
                "<p>About $11 million of federal relief money, which will not be renewed, is "
                "covering salaries and contracts that will continue. The city's own forecast "
                "shows a gap of $9 million in the year after next.</p>"
            ),
            Q("Nobody wants to be the council that cuts. Somebody will have to be."),
            P(
                "<p>The honest course is to start closing that gap now, in small steps, rather "
                "than all at once in an election year.</p>"
            ),
        ),
        authors=("eleanor-marsh",),
        tags=(topic("City budget"), place("Port Ashby"), org("Port Ashby City Council")),
        related=("council-budget", "library-column"),
        access="subscribers",
        hours_ago=48,
    ),
)
