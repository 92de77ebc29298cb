import Mustache

/// The dashboard's Mustache templates, kept in the binary so it works wherever it is copied.
/// Every value is written with `{{ }}`, which HTML-escapes; no template uses `{{{ }}}`.
/// Pages extend `layout` (template inheritance) and fill its `content` block.
enum DashboardTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let templates = [
            "layout": layout, "login": login, "fleet": fleet, "tenants": tenants, "tenant": tenant,
            "onboard": onboard, "audit": audit, "problem": problem, "textField": textField, "meter": meter,
        ]
        for (name, text) in templates {
            do { try library.register(text, named: name) } catch { fatalError("dashboard template \(name) does not parse: \(error)") }
        }
        return library
    }()

    static let layout = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{chrome.title}} · Bulkhead</title>
    <style>
    :root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --bad: #b42318; --bg: #f6f8fa; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
    a { color: var(--accent); }
    a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
      outline: 3px solid #f0a000; outline-offset: 2px; }
    .skip { position: absolute; left: -10000px; }
    .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
    header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 2rem; padding: .75rem 1.5rem; background: #0d2238; color: #fff; }
    header.top a, header.top .brand { color: #fff; }
    .brand { font-weight: 700; font-size: 1.2rem; margin: 0; }
    nav ul { list-style: none; display: flex; gap: 1.25rem; margin: 0; padding: 0; }
    nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
    .signed-in { margin-left: auto; display: flex; align-items: center; gap: .75rem; }
    .signed-in p { margin: 0; }
    main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
    h1 { font-size: 1.75rem; margin: .25rem 0 1rem; }
    h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
    h3 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
    table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
    th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    thead th { background: var(--bg); }
    caption { text-align: left; color: var(--muted); padding: .25rem 0; }
    meter { width: 8rem; height: 1rem; vertical-align: middle; }
    .figure { display: block; font-size: .85rem; color: var(--muted); }
    .over { color: var(--bad); font-weight: 600; }
    button, .button { font: inherit; padding: .45rem 1rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
    header.top button { background: transparent; border-color: #fff; }
    input[type=text], input[type=password], input[type=search], select, textarea { font: inherit; padding: .4rem .5rem; border: 1px solid #8c959f; border-radius: 4px; width: 100%; max-width: 32rem; }
    textarea { min-height: 5rem; }
    .field { margin: 0 0 1.1rem; }
    .field label, fieldset legend { display: block; font-weight: 600; }
    .hint { margin: .1rem 0 .3rem; color: var(--muted); font-size: .9rem; }
    .error { margin: .1rem 0 .3rem; color: var(--bad); font-weight: 600; }
    .invalid input, .invalid select, .invalid textarea { border: 2px solid var(--bad); }
    fieldset { border: 1px solid var(--line); border-radius: 4px; max-width: 32rem; }
    fieldset.invalid { border: 2px solid var(--bad); }
    .checks label { display: inline-block; font-weight: 400; margin-right: 1rem; }
    .summary { border: 2px solid var(--bad); padding: .5rem 1rem; margin-bottom: 1.5rem; }
    .summary h2 { margin-top: .25rem; border: 0; }
    .filters { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: end; background: var(--bg); padding: .75rem 1rem; border-radius: 4px; }
    .filters .field { margin: 0; }
    .filters input, .filters select { width: 12rem; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.5rem; }
    dl.facts dt { font-weight: 600; }
    dl.facts dd { margin: 0; }
    .muted { color: var(--muted); }
    table.fleet { table-layout: fixed; }
    table.fleet th:first-child { width: 15rem; }
    table.fleet th:nth-child(2), table.fleet th:nth-child(3) { width: 7rem; }
    .nowrap { white-space: nowrap; }
    tbody th[scope="row"] { white-space: nowrap; }
    </style>
    </head>
    <body>
    <a class="skip" href="#main">Skip to the main content</a>
    <header class="top">
    <p class="brand">Bulkhead</p>
    {{#chrome.signedIn}}
    <nav aria-label="Main">
    <ul>
    <li><a href="/ui"{{#chrome.onFleet}} aria-current="page"{{/chrome.onFleet}}>Fleet</a></li>
    <li><a href="/ui/tenants"{{#chrome.onTenants}} aria-current="page"{{/chrome.onTenants}}>Tenants</a></li>
    {{#chrome.canOnboard}}<li><a href="/ui/onboard"{{#chrome.onOnboard}} aria-current="page"{{/chrome.onOnboard}}>Onboard a tenant</a></li>{{/chrome.canOnboard}}
    {{#chrome.canAudit}}<li><a href="/ui/audit"{{#chrome.onAudit}} aria-current="page"{{/chrome.onAudit}}>Audit trail</a></li>{{/chrome.canAudit}}
    </ul>
    </nav>
    <form class="signed-in" method="post" action="/ui/logout">
    <p>Signed in with token <strong>{{chrome.tokenName}}</strong> ({{chrome.role}})</p>
    <input type="hidden" name="csrf" value="{{chrome.csrf}}">
    <button type="submit">Log out</button>
    </form>
    {{/chrome.signedIn}}
    </header>
    <main id="main">
    {{$content}}{{/content}}
    </main>
    </body>
    </html>

    """

    static let login = """
    {{<layout}}{{$content}}
    <h1>Sign in</h1>
    <p>Sign in with an API token made by <code>bulkhead token create</code>. The page keeps a session
    cookie for eight hours; the token itself is not stored in the browser.</p>
    {{#loginError}}<div class="summary" role="alert"><p class="error" id="token-error">{{loginError}}</p></div>{{/loginError}}
    <form method="post" action="/ui/login">
    <input type="hidden" name="form" value="{{formNonce}}">
    <div class="field{{#loginError}} invalid{{/loginError}}">
    <label for="token">Token</label>
    <p class="hint" id="token-hint">Starts with <code>bh_</code>.</p>
    <input type="password" id="token" name="token" autocomplete="off" required aria-describedby="token-hint{{#loginError}} token-error{{/loginError}}"{{#loginError}} aria-invalid="true"{{/loginError}}>
    </div>
    <button type="submit">Sign in</button>
    </form>
    {{/content}}{{/layout}}
    """

    /// A used/budget figure: a `<meter>` and the same numbers as text.
    static let meter = """
    <meter min="0" max="100" low="70" high="90" optimum="0" value="{{percent}}" aria-label="{{label}} used on {{clusterName}}: {{percent}} percent">{{percent}}%</meter>
    <span class="figure{{#over}} over{{/over}}">{{used}} of {{budget}} used ({{percent}}%), {{free}} free</span>
    """

    static let fleet = """
    {{<layout}}{{$content}}
    <h1>Fleet</h1>
    <p>{{clusterCount}} clusters, {{tenantCount}} tenants you can see. Capacity is each cluster's budget
    (capacity × overcommit); used is the sum of the quota requests of the tenants placed on it.</p>
    {{#environments}}
    <h2>{{environment}}</h2>
    {{#regions}}
    <h3>{{environment}} · {{region}}</h3>
    <table class="fleet">
    <caption>Clusters in {{environment}}, {{region}}</caption>
    <thead><tr><th scope="col">Cluster</th><th scope="col">Kubernetes</th><th scope="col">Tenants</th><th scope="col">CPU</th><th scope="col">Memory</th><th scope="col">Pods</th></tr></thead>
    <tbody>
    {{#clusters}}
    <tr>
    <th scope="row"><a href="/ui/tenants?cluster={{name}}">{{name}}</a>{{#dedicatedTo}}<span class="figure">dedicated to {{dedicatedTo}}</span>{{/dedicatedTo}}{{#hasLocation}}<span class="figure">{{location}}</span>{{/hasLocation}}</th>
    <td>{{kubernetesVersion}}</td>
    <td>{{tenants}}</td>
    <td>{{#cpu}}{{> meter}}{{/cpu}}</td>
    <td>{{#memory}}{{> meter}}{{/memory}}</td>
    <td>{{#pods}}{{> meter}}{{/pods}}</td>
    </tr>
    {{/clusters}}
    </tbody>
    </table>
    {{/regions}}
    {{/environments}}
    {{/content}}{{/layout}}
    """

    static let tenants = """
    {{<layout}}{{$content}}
    <h1>Tenants</h1>
    <form method="get" action="/ui/tenants" class="filters" role="search" aria-label="Filter tenants">
    <div class="field"><label for="q">Search</label><p class="hint" id="q-hint">Name, team, cost centre or owner</p><input type="search" id="q" name="q" value="{{query}}" aria-describedby="q-hint"></div>
    {{#filters}}
    <div class="field"><label for="filter-{{name}}">{{label}}</label>
    <select id="filter-{{name}}" name="{{name}}">
    <option value="">Any</option>
    {{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}
    </select></div>
    {{/filters}}
    <div class="field"><button type="submit">Filter</button> <a href="/ui/tenants">Clear</a></div>
    </form>
    <p role="status">{{countText}}</p>
    {{#hasRows}}
    <table>
    <caption>Tenants{{#filtered}} matching the filters{{/filtered}}</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Team</th><th scope="col">Tier</th><th scope="col">Environments</th><th scope="col">Clusters</th><th scope="col">Data classification</th><th scope="col">Cost centre</th></tr></thead>
    <tbody>
    {{#rows}}
    <tr><th scope="row"><a href="/ui/tenants/{{name}}">{{name}}</a></th><td>{{team}}</td><td>{{tier}}</td><td>{{environments}}</td><td>{{clusters}}</td><td>{{dataClassification}}</td><td>{{costCenter}}</td></tr>
    {{/rows}}
    </tbody>
    </table>
    {{/hasRows}}
    {{/content}}{{/layout}}
    """

    static let tenant = """
    {{<layout}}{{$content}}
    <p><a href="/ui/tenants">All tenants</a></p>
    <h1>Tenant {{name}}</h1>
    {{#created}}<p role="status" class="summary" style="border-color:#1a7f37">Tenant {{name}} was onboarded: declared in {{file}}, applied and committed.</p>{{/created}}
    <dl class="facts">
    <dt>Tier</dt><dd>{{tier}}</dd>
    <dt>Team</dt><dd>{{team}}</dd>
    <dt>Owners</dt><dd>{{owners}}</dd>
    <dt>Cost centre</dt><dd>{{costCenter}}</dd>
    <dt>Environments</dt><dd>{{environments}}</dd>
    <dt>Regions</dt><dd>{{regions}}</dd>
    <dt>Data classification</dt><dd>{{dataClassification}}</dd>
    <dt>Declared in</dt><dd><code>{{file}}</code></dd>
    </dl>
    <h2>Placement</h2>
    {{#hasPlacements}}
    <table>
    <thead><tr><th scope="col">Cluster</th><th scope="col">Environment</th><th scope="col">Region</th></tr></thead>
    <tbody>{{#placements}}<tr><th scope="row"><a href="/ui/tenants?cluster={{cluster}}">{{cluster}}</a></th><td>{{environment}}</td><td>{{region}}</td></tr>{{/placements}}</tbody>
    </table>
    {{/hasPlacements}}
    {{^hasPlacements}}<p>Not placed on any cluster yet.</p>{{/hasPlacements}}
    <h2>Quota</h2>
    <table>
    <caption>Per namespace; the tier's values with this tenant's overrides</caption>
    <thead><tr><th scope="col">Resource</th><th scope="col">Hard limit</th><th scope="col">From</th></tr></thead>
    <tbody>{{#quota}}<tr><th scope="row">{{key}}</th><td>{{value}}</td><td>{{source}}</td></tr>{{/quota}}</tbody>
    </table>
    <h2>Apps</h2>
    {{#hasApps}}
    <table>
    <thead><tr><th scope="col">App</th><th scope="col">Kind</th><th scope="col">Details</th></tr></thead>
    <tbody>{{#apps}}<tr><th scope="row">{{appName}}</th><td>{{kind}}</td><td>{{details}}</td></tr>{{/apps}}</tbody>
    </table>
    {{/hasApps}}
    {{^hasApps}}<p>No apps.</p>{{/hasApps}}
    <h2>Buckets</h2>
    {{#hasBuckets}}<ul>{{#buckets}}<li>{{.}}</li>{{/buckets}}</ul>{{/hasBuckets}}
    {{^hasBuckets}}<p>No buckets.</p>{{/hasBuckets}}
    {{#showAudit}}
    <h2>Recent audit records</h2>
    {{#hasAudit}}
    <table>
    <caption>The last {{auditCount}} records for this tenant, newest first</caption>
    <thead><tr><th scope="col">#</th><th scope="col">Time (UTC)</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Result</th></tr></thead>
    <tbody>{{#audit}}<tr><th scope="row">{{sequence}}</th><td class="nowrap">{{time}}</td><td>{{action}}</td><td>{{actor}} ({{actorRole}})</td><td>{{result}}</td></tr>{{/audit}}</tbody>
    </table>
    {{/hasAudit}}
    {{^hasAudit}}<p>No audit records for this tenant.</p>{{/hasAudit}}
    {{/showAudit}}
    {{/content}}{{/layout}}
    """

    /// One labelled text input with its hint and errors (the context is a `FormField`).
    static let textField = """
    <div class="field{{#invalid}} invalid{{/invalid}}">
    <label for="{{id}}">{{label}}</label>
    <p class="hint" id="{{id}}-hint">{{hint}}</p>
    {{#errors}}<p class="error" id="{{errorID}}">{{text}}</p>{{/errors}}
    {{#multiline}}<textarea id="{{id}}" name="{{name}}" aria-describedby="{{describedBy}}"{{#invalid}} aria-invalid="true"{{/invalid}}>{{value}}</textarea>{{/multiline}}
    {{^multiline}}<input type="text" id="{{id}}" name="{{name}}" value="{{value}}" aria-describedby="{{describedBy}}"{{#invalid}} aria-invalid="true"{{/invalid}}>{{/multiline}}
    </div>
    """

    static let onboard = """
    {{<layout}}{{$content}}
    <h1>Onboard a tenant</h1>
    <p>The tenant is declared as <code>tenants/&lt;name&gt;.yaml</code> in the platform folder, checked with the same
    rules and messages as <code>bulkhead validate</code>, placed, rendered, and committed to the GitOps repository.</p>
    {{#hasProblems}}
    <div class="summary" role="alert" aria-labelledby="problems-heading">
    <h2 id="problems-heading">{{problemCount}} to fix before the tenant can be onboarded</h2>
    <ul>{{#problems}}<li>{{#hasTarget}}<a href="#{{target}}">{{text}}</a>{{/hasTarget}}{{^hasTarget}}{{text}}{{/hasTarget}}</li>{{/problems}}</ul>
    </div>
    {{/hasProblems}}
    <form method="post" action="/ui/onboard" novalidate>
    <input type="hidden" name="csrf" value="{{chrome.csrf}}">
    {{#form.name}}{{> textField}}{{/form.name}}
    {{#form.tier}}
    <div class="field{{#invalid}} invalid{{/invalid}}">
    <label for="{{id}}">{{label}}</label>
    <p class="hint" id="{{id}}-hint">{{hint}}</p>
    {{#errors}}<p class="error" id="{{errorID}}">{{text}}</p>{{/errors}}
    <select id="{{id}}" name="{{name}}" aria-describedby="{{describedBy}}"{{#invalid}} aria-invalid="true"{{/invalid}}>
    <option value="">Choose a tier</option>
    {{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}
    </select>
    </div>
    {{/form.tier}}
    {{#form.team}}{{> textField}}{{/form.team}}
    {{#form.costCenter}}{{> textField}}{{/form.costCenter}}
    {{#form.owners}}{{> textField}}{{/form.owners}}
    {{#form.environments}}
    <fieldset id="{{id}}" class="field checks{{#invalid}} invalid{{/invalid}}" aria-describedby="{{describedBy}}">
    <legend>{{label}}</legend>
    <p class="hint" id="{{id}}-hint">{{hint}}</p>
    {{#errors}}<p class="error" id="{{errorID}}">{{text}}</p>{{/errors}}
    {{#options}}<label for="{{id}}-{{value}}"><input type="checkbox" id="{{id}}-{{value}}" name="{{name}}" value="{{value}}"{{#selected}} checked{{/selected}}> {{value}}</label>{{/options}}
    </fieldset>
    {{/form.environments}}
    {{#form.regions}}{{> textField}}{{/form.regions}}
    {{#form.dataClassification}}
    <div class="field{{#invalid}} invalid{{/invalid}}">
    <label for="{{id}}">{{label}}</label>
    <p class="hint" id="{{id}}-hint">{{hint}}</p>
    {{#errors}}<p class="error" id="{{errorID}}">{{text}}</p>{{/errors}}
    <select id="{{id}}" name="{{name}}" aria-describedby="{{describedBy}}"{{#invalid}} aria-invalid="true"{{/invalid}}>
    <option value="">Not set (internal)</option>
    {{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}
    </select>
    </div>
    {{/form.dataClassification}}
    {{#form.apps}}{{> textField}}{{/form.apps}}
    {{#form.buckets}}{{> textField}}{{/form.buckets}}
    <button type="submit">Onboard tenant</button>
    </form>
    {{/content}}{{/layout}}
    """

    static let audit = """
    {{<layout}}{{$content}}
    <h1>Audit trail</h1>
    <p>Changes made through the API, the dashboard and <code>bulkhead token</code>, with their results, in a
    hash-chained trail (<code>bulkhead audit-log verify</code> checks the chain).</p>
    <form method="get" action="/ui/audit" class="filters" role="search" aria-label="Filter audit records">
    <div class="field"><label for="audit-tenant">Tenant</label><input type="text" id="audit-tenant" name="tenant" value="{{tenant}}"></div>
    <div class="field"><label for="audit-actor">Actor (token id)</label><input type="text" id="audit-actor" name="actor" value="{{actor}}"></div>
    <div class="field"><button type="submit">Filter</button> <a href="/ui/audit">Clear</a></div>
    </form>
    <p role="status">{{countText}}</p>
    {{#hasAudit}}
    <table>
    <caption>Newest first</caption>
    <thead><tr><th scope="col">#</th><th scope="col">Time (UTC)</th><th scope="col">Action</th><th scope="col">Tenant</th><th scope="col">Actor</th><th scope="col">Result</th></tr></thead>
    <tbody>{{#audit}}<tr><th scope="row">{{sequence}}</th><td class="nowrap">{{time}}</td><td>{{action}}</td><td>{{recordTenant}}</td><td>{{actor}} ({{actorRole}})</td><td>{{result}}</td></tr>{{/audit}}</tbody>
    </table>
    {{/hasAudit}}
    {{/content}}{{/layout}}
    """

    /// An error page: 403, 404, 413 and the like.
    static let problem = """
    {{<layout}}{{$content}}
    <h1>{{heading}}</h1>
    <p>{{message}}</p>
    <p><a href="/ui">Back to the fleet overview</a></p>
    {{/content}}{{/layout}}
    """
}
