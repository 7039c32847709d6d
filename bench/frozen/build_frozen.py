import csv, random

rng = random.Random(20240917)
ALPH = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
used = set()


def new_id():
    while True:
        i = "U0F" + "".join(rng.choice(ALPH) for _ in range(6))
        if i not in used:
            used.add(i)
            return i


# key, name, title, expertise, skills, tz, langs, cap
M = [
    (
        "sre",
        "Marta Kowalczyk",
        "Staff Site Reliability Engineer",
        "I help teams define service level objectives and error budgets, run calm incident response as incident commander, write blameless postmortems and make on-call rotations humane by cutting noisy alerts.",
        "PagerDuty, Prometheus, Grafana, Opsgenie",
        "Europe/Warsaw",
        "en,pl",
        3,
    ),
    (
        "platform",
        "Lukas Brandt",
        "Platform Engineering Lead",
        "k8s; helm; gitops; argo cd; cluster upgrades; internal developer platform; CI/CD pipelines for deploys",
        "Kubernetes, Helm, ArgoCD, Terraform, GitHub Actions",
        "Europe/Berlin",
        "en,de",
        2,
    ),
    (
        "dbre",
        "Giulia Romano",
        "Database Reliability Engineer",
        "Coffee snob and amateur climber. Ten years babysitting PostgreSQL and MySQL in production: slow query tuning, indexing, replication lag, zero-downtime schema migrations on huge tables, and backups that actually restore.",
        "PostgreSQL, MySQL, pgbouncer, Patroni",
        "Europe/Rome",
        "en,it",
        2,
    ),
    (
        "frontend",
        "Pierre Lefèvre",
        "Senior Frontend Engineer",
        "React, web performance, bundle size",
        "React, TypeScript, Vite, Lighthouse",
        "Europe/Paris",
        "en,fr",
        3,
    ),
    (
        "mobile",
        "Ana Martínez",
        "Lead Mobile Engineer",
        "Shipping native iOS and Android apps end to end — release trains, app store review rejections, crash-free rate, offline sync and push notifications that people don't hate.",
        "Swift, Kotlin, Firebase Crashlytics, Fastlane",
        "Europe/Madrid",
        "en,es",
        2,
    ),
    (
        "backend",
        "Oskar Lindqvist",
        "Principal Backend Engineer",
        "distributed systems, API design & versioning, event-driven architecture, breaking a monolith into services, idempotency and retries between services",
        "Go, Kafka, gRPC, OpenAPI",
        "Europe/Stockholm",
        "en,sv",
        2,
    ),
    (
        "qa",
        "Priya Raman",
        "Test Automation Lead",
        "I moved from manual QA to automation seven years ago. Love board games and bad puns. These days I help teams kill flaky tests, design a sensible test pyramid, and get end-to-end suites running fast in CI.",
        "Playwright, Cypress, pytest, Testcontainers",
        "Europe/London",
        "en,ta",
        3,
    ),
    (
        "pipeline",
        "Bartosz Wiśniewski",
        "Senior Data Engineer",
        "airflow; DAG scheduling; retries & backfills; late-arriving data; batch job reliability; spark job tuning",
        "Airflow, Spark, Dagster, AWS Glue",
        "Europe/Warsaw",
        "en,pl",
        3,
    ),
    (
        "dq",
        "Sofia Conti",
        "Data Quality Engineer",
        "My whole job is catching bad data before anyone makes a decision on it: data tests, anomaly detection on metrics, data contracts with the teams that produce data, and tracing where a wrong number came from.",
        "Great Expectations, Soda, Monte Carlo, dbt tests",
        "Europe/Rome",
        "en,it",
        2,
    ),
    (
        "ae",
        "Hanna Becker",
        "Analytics Engineer",
        "dbt modelling, metric definitions, semantic layer",
        "dbt, Snowflake, Looker, LookML",
        "Europe/Berlin",
        "en,de",
        3,
    ),
    (
        "mle",
        "Rizky Pratama",
        "Machine Learning Engineer",
        "I am doing deployment of machine learning models to production, monitoring of drift, retraining pipelines and feature store. Before I was data scientist so I understand both side of the handover.",
        "MLflow, Kubeflow, Feast, SageMaker, Python",
        "Asia/Jakarta",
        "en,id",
        3,
    ),
    (
        "llm",
        "Nadia Haddad",
        "Applied AI Engineer",
        "Building LLM-powered features into our product: retrieval-augmented generation, prompt and output evaluation, guardrails against hallucinations, and keeping token usage sane.",
        "OpenAI API, LangChain, pgvector, Ragas",
        "Europe/Paris",
        "en,fr,ar",
        2,
    ),
    (
        "discovery",
        "Claire Dubois",
        "Group Product Manager",
        "Former consultant, mum of twins, weekend sailor. I coach PMs on product discovery and roadmap choices: figuring out which customer problems are worth solving, testing risky assumptions cheaply before we build, and having the courage to kill ideas.",
        "Miro, Productboard",
        "Europe/Paris",
        "en,fr",
        2,
    ),
    (
        "panalytics",
        "Jakub Horák",
        "Senior Product Analyst",
        "funnels, retention cohorts, event tracking plans, activation metrics",
        "Amplitude, Mixpanel, SQL",
        "Europe/Prague",
        "en,cs",
        3,
    ),
    (
        "programme",
        "Fiona Gallagher",
        "Senior Programme Manager",
        "I coordinate big cross-team launches: mapping dependencies between many teams, keeping a living risk log, running launch readiness and go/no-go, and giving executives honest status updates when things slip.",
        "Jira Advanced Roadmaps, Smartsheet",
        "Europe/Dublin",
        "en,ga",
        2,
    ),
    (
        "agile",
        "Mateusz Zieliński",
        "Agile Coach",
        "I am helping teams for make better estimations of sprint, to run retrospectives which are not boring, and to limit work in progress so things are really finishing. Scrum and Kanban both are ok for me.",
        "Jira, Miro",
        "Europe/Warsaw",
        "en,pl,ru",
        4,
    ),
    (
        "uxr",
        "Ingrid Solberg",
        "UX Researcher",
        "usability tests; moderated sessions; survey design; participant recruitment",
        "Maze, Lookback, Dovetail, Qualtrics",
        "Europe/Oslo",
        "en,no",
        2,
    ),
    (
        "visual",
        "Luca Ferri",
        "Senior Visual Designer",
        "Illustrator by night, cyclist, collector of old type specimens. By day I do UI and visual design — layout, typography, colour, hierarchy — making screens, landing pages and decks look crafted instead of cluttered.",
        "Figma, Illustrator, After Effects",
        "Europe/Rome",
        "en,it",
        2,
    ),
    (
        "dsys",
        "Noor van Dijk",
        "Design Systems Lead",
        "design tokens; component library; shared Figma libraries; adoption & governance; design-to-dev handoff",
        "Figma, Storybook, Style Dictionary",
        "Europe/Amsterdam",
        "en,nl",
        2,
    ),
    (
        "iam",
        "Samuel Okafor",
        "Cloud Security Engineer",
        "I design cloud identity and access: IAM roles and policies, SSO groups, short-lived credentials for humans and service accounts, and break-glass procedures.",
        "AWS IAM, GCP IAM, Okta, Terraform",
        "Europe/London",
        "en",
        2,
    ),
    (
        "appsec",
        "Ahmet Yılmaz",
        "Application Security Engineer",
        "OWASP top 10, threat modelling, secure code review, pentest remediation",
        "Burp Suite, Semgrep, Snyk",
        "Europe/Berlin",
        "en,tr,de",
        3,
    ),
    (
        "compliance",
        "Rebecca Hughes",
        "GRC Lead",
        "Taking companies through SOC 2 Type II and ISO 27001 audits: control design, evidence collection, policy writing, and keeping auditors happy without drowning engineers in paperwork.",
        "Vanta, Drata",
        "Europe/London",
        "en",
        2,
    ),
    (
        "privacy",
        "Lena Hoffmann",
        "Data Protection Counsel",
        "GDPR is my daily bread. I help with DPIA, answering of data subject requests, cookie consent, and what to do when we send personal data outside EU.",
        "OneTrust",
        "Europe/Berlin",
        "en,de",
        2,
    ),
    (
        "contracts",
        "Javier Ortega",
        "Senior Commercial Counsel",
        "Ex-litigator turned in-house lawyer; plays flamenco guitar badly. I negotiate commercial contracts and vendor procurement: MSAs, liability caps, indemnities, redlines from customers' procurement teams, and getting better terms from our suppliers.",
        "Ironclad, DocuSign",
        "Europe/Madrid",
        "en,es",
        3,
    ),
    (
        "finops",
        "Emma Laurent",
        "FinOps Analyst",
        "cloud cost optimisation, FinOps",
        "AWS Cost Explorer, Kubecost, CloudHealth",
        "Europe/Paris",
        "en,fr",
        3,
    ),
    (
        "corpfin",
        "Henrik Madsen",
        "VP Finance",
        "Corporate finance for a scale-up: unit economics (CAC, LTV, payback, gross margin), cash runway and forecasting, and building the board pack so investors see a clear story.",
        "Excel, Pigment, NetSuite",
        "Europe/Copenhagen",
        "en,da",
        2,
    ),
    (
        "newmgr",
        "Aisha Bello",
        "Engineering Manager, First-Time Managers Programme",
        "Ran a bakery before I got into tech, now I lead our first-time managers cohort. I help people through the jump from individual contributor to manager: running good 1:1s, delegating instead of doing it all yourself, and leading people who used to be your peers.",
        "",
        "Europe/London",
        "en,yo",
        3,
    ),
    (
        "perf",
        "Chiara Bianchi",
        "HR Business Partner",
        "performance reviews; calibration; writing feedback; underperformance & PIPs; promotion cases",
        "Lattice, Workday",
        "Europe/Rome",
        "en,it",
        3,
    ),
    (
        "conflict",
        "Marek Dvořák",
        "People Partner & Certified Mediator",
        "I mediate conflicts between colleagues or between whole teams, facilitate difficult conversations, and help repair trust after things got personal.",
        "",
        "Europe/Prague",
        "en,cs,sk",
        2,
    ),
    (
        "wellbeing",
        "Sanne de Vries",
        "Wellbeing Lead",
        "Yoga teacher on weekends, two dogs. Burnout prevention, stress, boundaries with work, coming back after long leave.",
        "",
        "Europe/Amsterdam",
        "en,nl",
        3,
    ),
    (
        "comp",
        "Oliver Grant",
        "Total Rewards Manager",
        "I know how salary bands, equity and benchmarks work from the inside, and I coach people to negotiate pay — raises, offers and counter-offers — with data instead of nerves.",
        "Pave, Radford",
        "Europe/London",
        "en",
        2,
    ),
    (
        "recruit",
        "Ewa Jankowska",
        "Talent Acquisition Lead",
        "structured interviewing, scorecards, hiring loops, interviewer training, take-home assignments",
        "Greenhouse, Ashby",
        "Europe/Warsaw",
        "en,pl",
        3,
    ),
    (
        "speaking",
        "Dimitris Papadopoulos",
        "Developer Advocate",
        "Spoke at 60+ conferences and still get nervous. Former theatre kid, collects vinyl. I coach public speaking: stage fright, storytelling, structuring a talk, handling Q&A.",
        "Keynote",
        "Europe/Athens",
        "en,el",
        2,
    ),
    (
        "salespricing",
        "Isabel Fernández",
        "Enterprise Account Executive",
        "I am very good in handling pricing objections and discount requests from prospects, defending the value when client say we are too expensive, and structuring multi-year deals.",
        "Salesforce, Gong",
        "Europe/Madrid",
        "en,es,pt",
        2,
    ),
    (
        "prospecting",
        "Jonas Weber",
        "SDR Team Lead",
        "cold outreach, prospecting, booking first meetings",
        "Outreach, Apollo, LinkedIn Sales Navigator",
        "America/New_York",
        "en,de",
        3,
    ),
    (
        "cs",
        "Mariana Costa",
        "Head of Customer Success",
        "Keeping customers and growing them: onboarding new accounts, health scores, spotting churn risk early, running QBRs and renewal conversations.",
        "Gainsight, HubSpot",
        "Europe/Lisbon",
        "en,pt",
        2,
    ),
    (
        "seo",
        "Harriet Cole",
        "Content Marketing Manager",
        "SEO; blog strategy; organic traffic; keyword research; editorial calendar",
        "Ahrefs, Google Search Console, WordPress",
        "Europe/London",
        "en",
        2,
    ),
    (
        "pmm",
        "Mathieu Girard",
        "Product Marketing Lead",
        "Runner, wine nerd, ex-journalist. I work on positioning and messaging, launch plans for new features, and explaining why we're different from competitors.",
        "Notion, Klue",
        "Europe/Paris",
        "en,fr",
        2,
    ),
    (
        "supportops",
        "Dewi Lestari",
        "Support Operations Manager",
        "I run support operations: ticket queue, first response time, macros and help center, staffing of shifts across timezones, and the escalation path to engineering.",
        "Zendesk, Intercom",
        "Asia/Jakarta",
        "en,id",
        3,
    ),
    (
        "exec",
        "Katrin Berg",
        "VP Engineering",
        "Leading leaders: org design and reorgs, setting strategy and OKRs that teams actually use, managing managers, and steering through hard times like layoffs or a missed year.",
        "",
        "Europe/Vienna",
        "en,de",
        1,
    ),
    (
        "tiktok",
        "Zoe Nguyen",
        "Marketing Associate (Reverse Mentor)",
        "short-form video!! tiktok, reels, shorts — hooks, editing on your phone, riding trends",
        "CapCut, TikTok, Instagram Reels",
        "Europe/Berlin",
        "en,vi,de",
        4,
    ),
    (
        "aiassist",
        "Kacper Lis",
        "Junior Data Analyst (Reverse Mentor)",
        "Happy to show anyone how I use AI assistants for everyday work — drafting emails, summarising long threads and meeting notes, getting unstuck on spreadsheet formulas, and knowing when not to trust the answer.",
        "ChatGPT, Microsoft Copilot, Gemini, Notion AI",
        "Europe/Warsaw",
        "en,pl",
        4,
    ),
    (
        "genz",
        "Amara Diallo",
        "Recruiting Coordinator (Reverse Mentor)",
        "22, graduated last year, gamer. I know where Gen-Z candidates actually look for jobs — Discord communities, TikTok, student societies, job apps for students — and what makes them ghost an employer.",
        "LinkedIn, Discord, Instagram",
        "Europe/Paris",
        "en,fr,wo",
        3,
    ),
    (
        "a11y",
        "Finn O'Brien",
        "Junior Frontend Developer (Reverse Mentor)",
        "screen readers, accessibility testing tools",
        "NVDA, VoiceOver, axe DevTools, WAVE",
        "Europe/Dublin",
        "en",
        3,
    ),
]
assert len(M) == 44
IDS = {m[0]: new_id() for m in M}

# (key, style, question); style s = situation/goal/feeling, k = names skill (different words)
Q = [
    # sre
    (
        "sre",
        "s",
        "Sales keeps promising clients we are 'basically never down'. What target should we actually commit to, and what should happen internally when we miss it?",
    ),
    (
        "sre",
        "s",
        "Last night three people were on the same call shouting fixes at each other while checkout was broken. How do we run these moments so someone is actually in charge?",
    ),
    (
        "sre",
        "s",
        "I got paged 14 times this week and 12 of them were nothing. I'm starting to ignore my phone.",
    ),
    (
        "sre",
        "s",
        "After a big outage the VP wants names. How do I write up what happened without turning it into a witch hunt?",
    ),
    ("sre", "k", "error budget policy — who enforces it when product pushes back?"),
    # platform
    (
        "platform",
        "k",
        "argo keeps showing OutOfSync on one app even after i merge the manifest change, help",
    ),
    (
        "platform",
        "s",
        "Every team deploys differently and new engineers need two weeks before they can ship anything to staging. I'd love one paved road for everybody.",
    ),
    (
        "platform",
        "s",
        "We're three minor versions behind on our container orchestrator and the cloud provider is about to force the upgrade on us. How scary is this?",
    ),
    ("platform", "k", "helm values per environment getting out of hand, best way to structure?"),
    (
        "platform",
        "s",
        "From merge to production takes 40 minutes and most of it is waiting for build runners to spin up.",
    ),
    # dbre
    (
        "dbre",
        "s",
        "The orders table has 900 million rows and we need to add a column with a default value. Last time someone tried, the whole site froze for 20 minutes.",
    ),
    (
        "dbre",
        "s",
        "Users save something and then don't see it for up to 30 seconds because the page reads from the secondary copy of our database.",
    ),
    (
        "dbre",
        "s",
        "We've taken nightly snapshots of our main database for years but nobody has ever tried bringing one back. Should I be worried?",
    ),
    (
        "dbre",
        "k",
        "pg query went from 50ms to 8s after last deploy, EXPLAIN shows seq scan. wat do",
    ),
    # frontend
    (
        "frontend",
        "s",
        "Our web app takes ages to become clickable on cheap Android phones and marketing says we're losing signups because of it.",
    ),
    ("frontend", "k", "js bundle is 4MB, how do i find out what's bloating it"),
    (
        "frontend",
        "s",
        "Typing in the search box of our web app lags badly, it seems the whole page redraws on every keystroke.",
    ),
    # mobile
    (
        "mobile",
        "s",
        "Apple rejected our update for the third time and the reasons are vague. How do people get through this?",
    ),
    (
        "mobile",
        "s",
        "Our field technicians use the app in basements with no signal, and their work disappears when the phone comes back online.",
    ),
    (
        "mobile",
        "k",
        "crash free sessions dropped to 97% on android after last release, how to triage",
    ),
    (
        "mobile",
        "s",
        "Users keep switching off the alerts our app sends them. How do we send fewer, better ones?",
    ),
    # backend
    (
        "backend",
        "s",
        "When the payment service times out, our order service tries again and sometimes customers get charged twice.",
    ),
    (
        "backend",
        "s",
        "We have one giant codebase that nine teams commit to and every release is a negotiation. Is it time to split it, and where do you cut?",
    ),
    (
        "backend",
        "s",
        "A partner integration broke because we renamed a field in our response. How do other companies change their public interfaces without breaking clients?",
    ),
    ("backend", "k", "kafka consumer ordering guarantees when we add partitions?"),
    # qa
    (
        "qa",
        "s",
        "Our test suite fails randomly about one run in five, so people just click re-run until it goes green.",
    ),
    (
        "qa",
        "s",
        "We have 1,200 tests that drive a real browser and almost no small ones. CI takes an hour. Where do I even start?",
    ),
    (
        "qa",
        "s",
        "I'm a manual tester and my manager wants me to start automating. Where does someone like me begin?",
    ),
    ("qa", "k", "playwright vs cypress for a greenfield project?"),
    # pipeline
    (
        "pipeline",
        "s",
        "Our nightly job that loads the sales data fails half-way about twice a week, and then someone has to rerun everything by hand in the morning.",
    ),
    (
        "pipeline",
        "s",
        "We changed a calculation and now need to recompute the last two years of daily tables without breaking today's run.",
    ),
    (
        "pipeline",
        "s",
        "Events from the mobile app sometimes arrive three days late, and by then our daily totals have already been closed.",
    ),
    ("pipeline", "k", "airflow scheduler, tasks stuck in queued state forever"),
    ("pipeline", "k", "spark job OOMs on a skewed join, any tricks?"),
    # dq
    (
        "dq",
        "s",
        "The revenue number on the CEO's dashboard was quietly wrong for two weeks and nobody noticed until finance reconciled it.",
    ),
    (
        "dq",
        "s",
        "The team that owns the signup service keeps renaming fields without telling us, and our reports silently go blank.",
    ),
    (
        "dq",
        "s",
        "How do I get warned when a metric suddenly drops 40% overnight because of a bug and not because of real customers?",
    ),
    (
        "dq",
        "s",
        "Someone found duplicate customers in our warehouse tables. How do I find out which upstream step created them and stop it happening again?",
    ),
    # ae
    (
        "ae",
        "s",
        "Marketing and finance both report 'active customers' and the numbers differ by 20% because each team counts them differently.",
    ),
    (
        "ae",
        "s",
        "Our analysts copy-paste the same 300-line SQL into every dashboard. How do we build something reusable instead?",
    ),
    ("ae", "k", "dbt incremental models vs snapshots for slowly changing dims?"),
    (
        "ae",
        "s",
        "I'm a data analyst and I want to move towards building the warehouse tables properly instead of just querying them. What should I learn first?",
    ),
    # mle
    (
        "mle",
        "s",
        "Our churn prediction model was great in the notebook, but its accuracy has been sliding ever since it went live six months ago.",
    ),
    (
        "mle",
        "s",
        "The data scientists hand us a pickle file and a requirements.txt and expect us to 'put it in production'. What should the handover really look like?",
    ),
    (
        "mle",
        "s",
        "We refresh our recommendation model by hand every quarter. How do we make it update itself safely?",
    ),
    ("mle", "k", "feature store — worth it for a team of 4 data scientists?"),
    # llm
    (
        "llm",
        "s",
        "Our support chatbot confidently invents refund policies that don't exist. How do we make it stick to our actual documents?",
    ),
    (
        "llm",
        "s",
        "We are about to ship a feature that summarises contracts for customers. How would we even know if the summaries are good before release?",
    ),
    ("llm", "k", "chunk size + embedding model for RAG over our internal wiki?"),
    (
        "llm",
        "s",
        "Our bill from the model provider tripled after launching the in-app assistant. Are there engineering tricks with prompts and caching to send less text per request?",
    ),
    # discovery
    (
        "discovery",
        "s",
        "We've got 40 feature requests from sales and I can only build maybe five this half. How do I decide without just picking the loudest customer?",
    ),
    (
        "discovery",
        "s",
        "Our team spent four months building something nobody uses. How do we find out earlier next time whether an idea is any good?",
    ),
    (
        "discovery",
        "s",
        "My CEO has a pet idea that I think is wrong. How do I test it cheaply instead of arguing about it?",
    ),
    ("discovery", "k", "opportunity solution trees — does anyone actually use them?"),
    (
        "discovery",
        "s",
        "i am new PM and i don't know how to tell which complaints of customers are real problems worth to solve and which are only noise",
    ),
    # panalytics
    (
        "panalytics",
        "s",
        "Lots of people start signing up but most give up somewhere before they finish. Where exactly are we losing them?",
    ),
    (
        "panalytics",
        "s",
        "I want to know whether users who joined in January are still around in April, compared to the ones who joined in February.",
    ),
    (
        "panalytics",
        "s",
        "Engineers added tracking events with names like 'click_btn_2' and now nobody can answer basic questions about which features get used. How do we clean this up?",
    ),
    ("panalytics", "k", "what should our activation metric be for a b2b saas tool?"),
    # programme
    (
        "programme",
        "s",
        "Our launch needs work from six teams in three countries and every team thinks someone else is doing the migration step.",
    ),
    (
        "programme",
        "s",
        "The big release is slipping and I have to tell the exec team on Monday. How do I report bad news without sounding like I'm making excuses?",
    ),
    (
        "programme",
        "s",
        "How do I keep track of everything that could go wrong across a year-long, multi-team project without it becoming a spreadsheet nobody reads?",
    ),
    ("programme", "k", "go/no-go checklist for a multi-team launch?"),
    # agile
    (
        "agile",
        "s",
        "My team's sprint commitments are fiction — we finish maybe half of what we plan every two weeks.",
    ),
    (
        "agile",
        "s",
        "Our retros have become the same three complaints every time and nothing ever changes.",
    ),
    (
        "agile",
        "s",
        "Everybody on my team is working on four things at once and nothing ever gets finished.",
    ),
    ("agile", "k", "scrum or kanban for a team that's 50% ops tickets?"),
    (
        "agile",
        "s",
        "We estimate in points and then management converts them into days and gets angry when we're 'late'.",
    ),
    # uxr
    (
        "uxr",
        "s",
        "Next week I'll watch five customers try our new checkout prototype. How do I run the session without accidentally leading them to the answer?",
    ),
    (
        "uxr",
        "s",
        "We sent out a questionnaire and got 2,000 answers, but I'm not sure the questions were asked in a fair way.",
    ),
    (
        "uxr",
        "s",
        "Where do we find people outside our customer base to try our designs, and should we pay them?",
    ),
    ("uxr", "k", "unmoderated vs moderated usability testing for a mobile signup flow?"),
    # visual
    (
        "visual",
        "s",
        "Our pricing page looks cluttered and dated and I can't say why. Everything is the same size and fighting for attention.",
    ),
    (
        "visual",
        "s",
        "I'm an engineer building an internal tool with no designer around. How do I pick fonts and colours that don't look terrible?",
    ),
    (
        "visual",
        "s",
        "The investor deck has great content but looks like a school project. Can someone help it look polished?",
    ),
    ("visual", "k", "ui hierarchy tips: whitespace, type scale?"),
    # dsys
    (
        "dsys",
        "s",
        "We have 14 slightly different blue buttons across our products and every team builds its own dropdown.",
    ),
    (
        "dsys",
        "s",
        "Designers update the shared Figma components but developers never find out, so code and designs drift apart.",
    ),
    ("dsys", "k", "how to version design tokens across web and ios?"),
    (
        "dsys",
        "s",
        "We built a shared component library last year but teams keep forking it instead of contributing back. How do we get people to actually use it?",
    ),
    # iam
    (
        "iam",
        "s",
        "An intern turned out to have rights to wipe our production storage last week. How should access to prod actually be set up?",
    ),
    (
        "iam",
        "s",
        "We still have long-lived access keys sitting on developers' laptops. What's the better way for people to get temporary access?",
    ),
    (
        "iam",
        "s",
        "When there's an emergency at 3am, how does someone get admin powers quickly but in a way we can check afterwards?",
    ),
    ("iam", "k", "okta groups -> aws sso permission sets mapping best practice"),
    # appsec
    (
        "appsec",
        "s",
        "The external pentest report came back with 37 findings. How do I decide which ones the developers fix first?",
    ),
    (
        "appsec",
        "s",
        "We're building a feature where customers can upload and share documents. What could an attacker do with it, before we write any code?",
    ),
    ("appsec", "k", "sqli found in a legacy php endpoint, quick mitigation while we rewrite?"),
    (
        "appsec",
        "s",
        "Code reviewers on my team keep missing security bugs like unescaped user input. How do I teach them what to look for?",
    ),
    # compliance
    (
        "compliance",
        "s",
        "A big bank prospect says they won't sign unless we have a security certification. We have nothing. How long does this realistically take?",
    ),
    (
        "compliance",
        "s",
        "The auditor wants proof that managers reviewed who has access to our systems every quarter for the past year. We did it, mostly, but never wrote anything down.",
    ),
    ("compliance", "k", "soc2 type 1 vs type 2, which one first?"),
    (
        "compliance",
        "s",
        "I've been asked to write our company's information security policies from scratch. Where do I start?",
    ),
    # privacy
    (
        "privacy",
        "s",
        "A former customer emailed demanding we send them every piece of information we hold about them within a month. What do we do?",
    ),
    (
        "privacy",
        "s",
        "Marketing wants to put five new tracking scripts on the website. Do we need to ask visitors first?",
    ),
    (
        "privacy",
        "s",
        "We want to use a support tool whose servers are in the US for our European customers. Is that allowed?",
    ),
    ("privacy", "k", "when is a DPIA mandatory?"),
    # contracts
    (
        "contracts",
        "s",
        "A customer's procurement team sent back our standard agreement with 60 changes, including unlimited liability. Which hills do we die on?",
    ),
    (
        "contracts",
        "s",
        "The vendor of our HR software wants to renew with a 20% increase and a three-year lock-in. How do I push back on the terms?",
    ),
    (
        "contracts",
        "s",
        "The client wants us to cover them for anything a third party ever claims against them. Is that normal?",
    ),
    ("contracts", "k", "MSA vs order form: which terms go where?"),
    # finops
    (
        "finops",
        "s",
        "Our cloud bill jumped 35% last month and nobody can tell me which team caused it.",
    ),
    (
        "finops",
        "s",
        "We pay on-demand prices for servers that run 24/7. Should we commit to something longer-term, and for how much?",
    ),
    (
        "finops",
        "s",
        "Half our test environments run all weekend with nobody using them, and it shows on the invoice every month.",
    ),
    ("finops", "k", "kubecost shows 40% idle cost, what now"),
    # corpfin
    (
        "corpfin",
        "s",
        "The board meeting is in three weeks and it's my first time preparing the numbers they'll want to see. What goes in?",
    ),
    (
        "corpfin",
        "s",
        "How many months can we keep going at our current spend if the next funding round is delayed?",
    ),
    (
        "corpfin",
        "s",
        "We spend a lot to win each new customer. How do I work out how long it takes before they've paid that back?",
    ),
    ("corpfin", "k", "gross margin for saas — do support salaries go into COGS?"),
    (
        "corpfin",
        "s",
        "Investors asked whether we make more or less money per customer as we grow. How do I even answer that?",
    ),
    # newmgr
    (
        "newmgr",
        "s",
        "Two weeks ago I was promoted to lead the team I've been part of for three years. My old friends now report to me and it feels weird.",
    ),
    (
        "newmgr",
        "s",
        "I keep doing the hard tickets myself because it's faster than explaining, and now I'm the bottleneck while my team is bored.",
    ),
    (
        "newmgr",
        "s",
        "What do I actually talk about in my weekly one-on-ones? Mine are turning into status updates.",
    ),
    ("newmgr", "k", "first-time EM, first 90 days advice?"),
    # perf
    (
        "perf",
        "s",
        "Review season starts next week and I have to write feedback for someone who's lovely but consistently misses deadlines.",
    ),
    (
        "perf",
        "s",
        "In the calibration meeting other managers argued my best engineer down to 'meets expectations'. How do I prepare better next time?",
    ),
    (
        "perf",
        "s",
        "I've given the same feedback three times and nothing changed. HR mentioned a formal improvement plan. How does that work fairly?",
    ),
    (
        "perf",
        "s",
        "My report wants to go for senior this cycle. How do I write a case that the committee will take seriously?",
    ),
    # conflict
    (
        "conflict",
        "s",
        "Two of my senior engineers stopped talking to each other after an argument in a design review, and now the team is picking sides.",
    ),
    (
        "conflict",
        "s",
        "The sales and product teams blame each other for every lost deal and our joint meetings have become hostile.",
    ),
    (
        "conflict",
        "s",
        "A colleague made a personal comment about me in front of the team. I want to address it with him without making things worse.",
    ),
    ("conflict", "k", "can someone neutral facilitate a sit-down between me and my co-lead?"),
    # wellbeing
    (
        "wellbeing",
        "s",
        "I'm exhausted all the time, I dread Monday from Saturday afternoon, and things I used to enjoy at work feel pointless.",
    ),
    (
        "wellbeing",
        "s",
        "I check Slack in bed at midnight and on holiday. How do I stop without feeling guilty?",
    ),
    (
        "wellbeing",
        "s",
        "I'm coming back next month after six months of parental leave and I'm anxious about how to ease back in.",
    ),
    ("wellbeing", "k", "signs of burnout vs just a bad week?"),
    # comp
    (
        "comp",
        "s",
        "A job ad for my exact role at our own company lists a range whose bottom is above what I earn. What do I do with that?",
    ),
    (
        "comp",
        "s",
        "I have an offer from another company but I actually like it here. Is it okay to bring it up with my manager, and how?",
    ),
    (
        "comp",
        "s",
        "My offer letter includes stock options and I have no idea whether they're worth anything or what I should ask for.",
    ),
    ("comp", "k", "how are salary bands set here and can i negotiate inside them?"),
    (
        "comp",
        "s",
        "I'm terrible at asking for money. My annual conversation with my boss is in two weeks and I want a raise this time.",
    ),
    # recruit
    (
        "recruit",
        "s",
        "Every interviewer on our panel asks whatever they feel like and then we argue for an hour about the candidate.",
    ),
    (
        "recruit",
        "s",
        "Our home assignment takes candidates 12 hours and the good ones drop out. What's fair to ask?",
    ),
    (
        "recruit",
        "s",
        "I'm about to interview candidates for the first time next week. What should I do and not do?",
    ),
    ("recruit", "k", "hiring scorecard template for backend roles?"),
    # speaking
    (
        "speaking",
        "s",
        "I got accepted to speak at a conference in May and I already feel sick thinking about standing on stage.",
    ),
    (
        "speaking",
        "s",
        "My talk has all the right information but people's eyes glaze over halfway through. How do I turn it into a story?",
    ),
    (
        "speaking",
        "s",
        "At the all-hands someone asked me a hostile question and I froze. How do people handle that live?",
    ),
    ("speaking", "k", "tips 4 giving a talk in english when its not my first language?"),
    # salespricing
    (
        "salespricing",
        "s",
        "The prospect loves the demo but says a competitor is half our price. I don't want to just slash the number.",
    ),
    (
        "salespricing",
        "s",
        "A buyer asked for 30% off on the last day of the quarter and my manager says 'don't give it away'. What do I offer instead?",
    ),
    (
        "salespricing",
        "s",
        "On calls the CFO on the buyer side keeps saying 'this isn't in the budget this year'. How do I respond in the moment?",
    ),
    (
        "salespricing",
        "k",
        "3yr deal w/ ramped pricing, how to structure it so it doesn't look like a discount?",
    ),
    # prospecting
    (
        "prospecting",
        "s",
        "I send 50 emails a day to people who've never heard of us and get maybe one reply a week.",
    ),
    (
        "prospecting",
        "s",
        "I'm new in sales and need to fill my calendar with first meetings at companies that don't know us yet.",
    ),
    (
        "prospecting",
        "k",
        "linkedin sales nav search tips for finding ops leaders at mid-market cos",
    ),
    ("prospecting", "s", "Is phoning strangers still a thing in 2025, or does everyone hate it?"),
    # cs
    (
        "cs",
        "s",
        "One of our largest accounts stopped logging in two months ago and their renewal is in the summer. What should I do now?",
    ),
    (
        "cs",
        "s",
        "After contracts are signed, big customers wait months before their teams are set up in our tool. How should the first 90 days with a new account be run?",
    ),
    ("cs", "k", "QBR agenda that the client's execs actually show up for?"),
    (
        "cs",
        "s",
        "How can I tell which of my 80 accounts are quietly unhappy before they tell me they're leaving?",
    ),
    # seo
    ("seo", "s", "We publish two blog posts a week but almost nobody finds them through Google."),
    (
        "seo",
        "s",
        "A competitor shows up first when people search for the problem we solve, and we're on page three.",
    ),
    ("seo", "k", "keyword cannibalisation between our docs and blog?"),
    (
        "seo",
        "s",
        "I need to plan what we write about for the next six months so it's not just random topics whenever someone has an idea.",
    ),
    # pmm
    (
        "pmm",
        "s",
        "We're launching a big new feature in six weeks and right now the plan is 'post on LinkedIn'. What should a real launch look like?",
    ),
    (
        "pmm",
        "s",
        "When I ask five people in the company what makes us different, I get five different answers.",
    ),
    (
        "pmm",
        "s",
        "Our website says we're 'the all-in-one platform for modern teams' and it means nothing. How do we say what we actually do?",
    ),
    ("pmm", "k", "competitive battlecard for sales — what goes on it?"),
    # supportops
    (
        "supportops",
        "s",
        "Customers are waiting two days for a first reply and the support team is drowning.",
    ),
    (
        "supportops",
        "s",
        "Our agents type the same answers from scratch all day and our help articles are out of date.",
    ),
    (
        "supportops",
        "s",
        "We want round-the-clock support but we only have people in Warsaw and Jakarta. How do we arrange the shifts?",
    ),
    (
        "supportops",
        "s",
        "When a customer reports a bug, support just throws it at engineers in Slack and half of them get lost. What should the handover look like?",
    ),
    # exec
    (
        "exec",
        "s",
        "I now run four teams through their managers and I feel like I've lost touch with what's actually happening.",
    ),
    (
        "exec",
        "s",
        "We have to restructure from teams organised by technology to teams organised by customer journey. How do I plan the change?",
    ),
    ("exec", "s", "Our company goals get written in January and forgotten by March."),
    (
        "exec",
        "s",
        "We have to let 15% of the company go next month. How do I lead the people who stay?",
    ),
    # tiktok
    (
        "tiktok",
        "s",
        "I'm a VP and our comms team wants me to record 30-second clips for social media. I've never done it and I feel ridiculous on camera.",
    ),
    (
        "tiktok",
        "s",
        "How do people make those quick vertical videos with captions popping up, using just a phone?",
    ),
    ("tiktok", "k", "hook in first 2 sec — how do u actually do that on reels"),
    (
        "tiktok",
        "s",
        "Our engineering blog posts get no attention. Could we turn them into something people actually watch while scrolling?",
    ),
    # aiassist
    (
        "aiassist",
        "s",
        "I'm a senior director and I spend two hours a day reading long email threads. My team says there are tools that can summarise them for me. Can someone show me how?",
    ),
    (
        "aiassist",
        "s",
        "Everyone says they use chatbots to write first drafts. I tried once and it sounded robotic. What am I doing wrong?",
    ),
    (
        "aiassist",
        "s",
        "How can I tell when the answer from the assistant is made up, before I paste it into a report for my boss?",
    ),
    ("aiassist", "k", "copilot in excel — worth turning on for my finance team?"),
    # genz
    (
        "genz",
        "s",
        "Our graduate programme got half the applications it did three years ago. Where are 22-year-olds actually looking for jobs now?",
    ),
    (
        "genz",
        "s",
        "Young candidates accept our interview invitation and then simply disappear. What puts them off?",
    ),
    ("genz", "k", "are discord communities a legit sourcing channel for junior devs?"),
    (
        "genz",
        "s",
        "Our careers page was clearly written by people my age (52). What would make someone just out of university want to apply?",
    ),
    # a11y
    (
        "a11y",
        "s",
        "A blind customer emailed that they can't complete checkout on our website. I don't even know how to reproduce what they experience.",
    ),
    (
        "a11y",
        "s",
        "Is there something I can run in the browser to catch the obvious problems for people with disabilities before we release?",
    ),
    ("a11y", "k", "voiceover on mac: quick crash course for testing our forms?"),
    (
        "a11y",
        "s",
        "Some users can't use a mouse and say they get stuck in our date picker. How do I test that myself?",
    ),
]

# extra variety: long rambling, non-native, very short
Q += [
    (
        "sre",
        "s",
        "ok so long story: we're a team of 6, we own the payments API, and every time something breaks at night it's always the same two people who wake up because they're the only ones who know the system. they're starting to talk about quitting. how do other teams share the night duty fairly without the service falling apart?",
    ),
    (
        "pipeline",
        "s",
        "please, our daily data loading is finishing sometimes at 11 in the morning instead of 6, and business people are opening reports with yesterday numbers. how to make it more reliable and alert when it's late?",
    ),
    (
        "dq",
        "s",
        "Numbers in weekly report don't match the numbers in source system. Small difference, 2-3%, but it changes every week. Where I start to look?",
    ),
    (
        "discovery",
        "s",
        "Honestly I'm a bit lost. I joined as the only PM for a team of 8 engineers, there's no roadmap, the founders each have a list of 'must-haves', customers email us ideas directly, and the engineers want to rebuild the backend. I have to present a plan for the next six months in two weeks. How do I decide what we're going to do and what we're not?",
    ),
    ("comp", "s", "they offered me the team lead role but same money. should I accept like this?"),
    ("contracts", "k", "limitation of liability cap — 12 months fees ok?"),
    (
        "finops",
        "s",
        "CFO asked me why we spend so much on AWS storage when most of the data is never read. I'm an engineer, I have no idea how to answer.",
    ),
    ("exec", "k", "skip-levels: how often, what to ask?"),
    (
        "aiassist",
        "s",
        "My manager is 58 and asked me, the intern, how I 'do meeting notes so fast'. I want to show him properly without being patronising.",
    ),
    (
        "tiktok",
        "s",
        "Our CEO wants to be 'more visible' to young talent with short phone videos. She asked me to find someone who knows how that works, filming and editing wise.",
    ),
    (
        "wellbeing",
        "s",
        "Since the reorg I sleep badly, I snap at my kids and I can't concentrate. Work is not even that bad, it's just too much all the time.",
    ),
    (
        "newmgr",
        "s",
        "I've been a team lead for a month and I still feel like I should be coding. How do I measure if I'm doing a good job now?",
    ),
    (
        "programme",
        "s",
        "We're moving all customers from the old billing system to the new one and it touches finance, support, three engineering teams and legal. Who keeps the whole thing together?",
    ),
    (
        "panalytics",
        "s",
        "Product manager asks me 'did people use the new export button more after the redesign?' and I don't know where to look.",
    ),
    (
        "agile",
        "s",
        "Our standups take 45 minutes and everyone just reads out what they did yesterday.",
    ),
    (
        "salespricing",
        "s",
        "Customer says: 'we like it, but your competitor gave us free implementation'. What now?",
    ),
    (
        "uxr",
        "s",
        "Our team argues about which of two onboarding designs is easier to understand. Nobody has ever watched a real user try either of them.",
    ),
    (
        "ae",
        "s",
        "Every analyst calculates monthly recurring revenue in a slightly different way in their own SQL. I want one official version everyone uses.",
    ),
    (
        "mle",
        "s",
        "Model gives fine predictions in batch, but now product wants it to answer in 50 milliseconds inside the app. How to serve it?",
    ),
    (
        "platform",
        "s",
        "Developers keep asking me for a new test namespace by Slack message and I create each one by hand.",
    ),
]


def _q(v):
    v = str(v)
    if any(ch in v for ch in ',;"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


class _W:
    def __init__(self, f):
        self.f = f

    def writerow(self, row):
        self.f.write(",".join(_q(x) for x in row) + "\r\n")


with open("/work/main/bench/frozen/roster.csv", "w", newline="", encoding="utf-8") as f:
    w = _W(f)
    w.writerow(
        ["slack_id", "name", "title", "expertise", "skills", "timezone", "languages", "capacity"]
    )
    for k, name, title, exp, skills, tz, langs, cap in M:
        w.writerow([IDS[k], name, title, exp, skills, tz, langs, cap])

with open("/work/main/bench/frozen/questions.csv", "w", newline="", encoding="utf-8") as f:
    w = _W(f)
    w.writerow(["expected", "question"])
    for k, st, q in Q:
        w.writerow([IDS[k], q])

s = sum(1 for x in Q if x[1] == "s")
print("questions", len(Q), "situation", s, f"{100 * s / len(Q):.1f}%")
from collections import Counter

c = Counter(x[0] for x in Q)
print(sorted(c.items(), key=lambda t: t[1]))
