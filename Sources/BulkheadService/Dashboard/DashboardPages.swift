import BulkheadKube
import BulkheadModel
import BulkheadRender
import Foundation

// The values each dashboard template renders. Plain structs read by Mustache through
// reflection: property names are the template's names. Optional values that are nil make
// Mustache look the name up in the enclosing value, so conditions are Bools, not optionals.

/// The page frame: title, who is signed in, the navigation and the CSRF token for forms.
struct Chrome {
    var title: String
    var signedIn = false
    var tokenName = ""
    var role = ""
    var csrf = ""
    var canOnboard = false
    var onFleet = false
    var onTenants = false
    var onOnboard = false
    var canAudit = false
    var onAudit = false

    static func page(_ title: String, _ caller: Caller, _ session: DashboardSession) -> Chrome {
        Chrome(title: title, signedIn: true, tokenName: caller.token.name, role: caller.token.role.rawValue, csrf: session.csrf,
               canOnboard: caller.token.role == .platformAdmin, canAudit: Dashboard.auditReaders.contains(caller.token.role))
    }
}

struct LoginPage {
    var chrome = Chrome(title: "Sign in")
    var loginError: String?
    /// The form's half of the login CSRF check (see `DashboardSessions.loginCookie`).
    var formNonce = ""
}

struct ProblemPage {
    var chrome: Chrome
    var heading: String
    var message: String
}

// MARK: Fleet

/// One dimension of a cluster's budget as a meter and as text.
struct CapacityFigure {
    var label: String
    var clusterName: String
    /// Used as a whole percentage of the budget (may pass 100).
    var percent: Int
    var used: String
    var budget: String
    var free: String
    var over: Bool

    init(_ label: String, cluster: String, used: Quantity, budget: Quantity, memory: Bool = false) {
        func text(_ quantity: Quantity) -> String { memory ? quantity.binaryDescription : quantity.description }
        self.label = label
        clusterName = cluster
        percent = budget.millis <= 0 ? 0 : Int((Double(used.millis) / Double(budget.millis) * 100).rounded())
        self.used = text(used)
        self.budget = text(budget)
        let left = budget - used
        free = text(max(left, .zero))
        over = used > budget
    }
}

struct ClusterRow {
    var name: String
    var kubernetesVersion: String
    var tenants: Int
    var dedicatedTo: String?
    var hasLocation: Bool
    var location: String
    var cpu: CapacityFigure
    var memory: CapacityFigure
    var pods: CapacityFigure

    init(_ cluster: Cluster, usage: ClusterUsage) {
        name = cluster.name
        kubernetesVersion = cluster.kubernetesVersion.description
        tenants = usage.tenants.count
        dedicatedTo = cluster.dedicatedTo
        hasLocation = cluster.location != .region
        location = cluster.location.rawValue
        cpu = CapacityFigure("CPU", cluster: cluster.name, used: usage.used.cpu, budget: usage.budget.cpu)
        memory = CapacityFigure("Memory", cluster: cluster.name, used: usage.used.memory, budget: usage.budget.memory, memory: true)
        pods = CapacityFigure("Pods", cluster: cluster.name, used: usage.used.pods, budget: usage.budget.pods)
    }
}

struct RegionGroup {
    var environment: String
    var region: String
    var clusters: [ClusterRow]
}

struct EnvironmentGroup {
    var environment: String
    var regions: [RegionGroup]
}

struct FleetPage {
    var chrome: Chrome
    var clusterCount: Int
    var tenantCount: Int
    var environments: [EnvironmentGroup]

    /// Clusters grouped by environment (sandbox to prod), then region, then name.
    init(chrome: Chrome, declaration: PlatformDeclaration, lock: PlacementLock, visibleTenants: Int) {
        self.chrome = chrome
        clusterCount = declaration.clusters.count
        tenantCount = visibleTenants
        let usage = Dictionary(uniqueKeysWithValues: ClusterUsage.of(declaration, lock: lock).map { ($0.cluster, $0) })
        environments = Environment.allCases.compactMap { environment in
            let clusters = declaration.clusters.filter { $0.environment == environment }
            guard !clusters.isEmpty else { return nil }
            let regions = Set(clusters.map(\.region)).sorted().map { region in
                RegionGroup(environment: environment.rawValue, region: region, clusters: clusters.filter { $0.region == region }.compactMap { cluster in
                    usage[cluster.name].map { ClusterRow(cluster, usage: $0) }
                })
            }
            return EnvironmentGroup(environment: environment.rawValue, regions: regions)
        }
    }
}

// MARK: Tenants

struct FilterOption {
    var value: String
    var selected: Bool
}

struct Filter {
    var name: String
    var label: String
    var options: [FilterOption]

    init(_ name: String, _ label: String, values: [String], chosen: String) {
        self.name = name
        self.label = label
        options = values.map { FilterOption(value: $0, selected: $0 == chosen) }
    }
}

struct TenantRow {
    var name: String
    var team: String
    var tier: String
    var environments: String
    var clusters: String
    var dataClassification: String
    var costCenter: String

    init(_ tenant: Tenant, placements: [LockedPlacement]) {
        name = tenant.name
        team = tenant.team
        tier = tenant.tier
        environments = tenant.environments.sorted().map(\.rawValue).joined(separator: ", ")
        clusters = Set(placements.map(\.cluster)).sorted().joined(separator: ", ")
        dataClassification = tenant.dataClassification.rawValue
        costCenter = tenant.costCenter
    }
}

struct TenantsPage {
    var chrome: Chrome
    var query: String
    var filters: [Filter]
    var rows: [TenantRow]
    var hasRows: Bool
    var filtered: Bool
    var countText: String
}

/// The tenants table's search and filters, from the query string.
struct TenantQuery: Equatable {
    var text = ""
    var team = ""
    var tier = ""
    var environment = ""
    var cluster = ""

    init(_ form: FormFields) {
        text = form["q"]
        team = form["team"]
        tier = form["tier"]
        environment = form["environment"]
        cluster = form["cluster"]
    }

    var isEmpty: Bool { text.isEmpty && team.isEmpty && tier.isEmpty && environment.isEmpty && cluster.isEmpty }

    /// Whether a tenant matches: the search text (case-insensitive) in its name, team, cost
    /// centre or owners, and each chosen filter exactly.
    func matches(_ tenant: Tenant, placements: [LockedPlacement]) -> Bool {
        if !text.isEmpty {
            let haystack = ([tenant.name, tenant.team, tenant.costCenter] + tenant.owners).map { $0.lowercased() }
            guard haystack.contains(where: { $0.contains(text.lowercased()) }) else { return false }
        }
        if !team.isEmpty, tenant.team != team { return false }
        if !tier.isEmpty, tenant.tier != tier { return false }
        if !environment.isEmpty, !tenant.environments.contains(where: { $0.rawValue == environment }) { return false }
        if !cluster.isEmpty, !placements.contains(where: { $0.cluster == cluster }) { return false }
        return true
    }
}

// MARK: Tenant

struct QuotaRow {
    var key: String
    var value: String
    var source: String
}

struct AppRow {
    var appName: String
    var kind: String
    var details: String
}

struct AuditRow {
    var sequence: Int64
    var time: String
    var action: String
    var recordTenant: String
    var actor: String
    var actorRole: String
    var result: String

    init(_ record: AuditRecord) {
        sequence = record.sequence
        time = ISO8601DateFormatter().string(from: record.entry.time)
        action = record.entry.action
        recordTenant = record.entry.tenant ?? ""
        actor = record.entry.actor
        actorRole = record.entry.role
        result = record.entry.result
    }
}

struct AuditPage {
    var chrome: Chrome
    var tenant: String
    var actor: String
    var audit: [AuditRow]
    var hasAudit: Bool
    var countText: String
}

struct TenantPage {
    var chrome: Chrome
    var created: Bool
    var name: String
    var tier: String
    var team: String
    var owners: String
    var costCenter: String
    var environments: String
    var regions: String
    var dataClassification: String
    var file: String
    var placements: [LockedPlacement]
    var hasPlacements: Bool
    var quota: [QuotaRow]
    var apps: [AppRow]
    var hasApps: Bool
    var buckets: [String]
    var hasBuckets: Bool
    var showAudit: Bool
    var audit: [AuditRow]
    var hasAudit: Bool
    var auditCount: Int

    init(chrome: Chrome, tenant: Tenant, declaration: PlatformDeclaration, placements: [LockedPlacement], audit records: [AuditRecord]?, created: Bool) {
        self.chrome = chrome
        self.created = created
        name = tenant.name
        tier = tenant.tier
        team = tenant.team
        owners = tenant.owners.joined(separator: ", ")
        costCenter = tenant.costCenter
        environments = tenant.environments.sorted().map(\.rawValue).joined(separator: ", ")
        regions = tenant.regions?.joined(separator: ", ") ?? "every region with clusters of its environments"
        dataClassification = tenant.dataClassification.rawValue
        file = tenant.origin.location.file
        self.placements = placements
        hasPlacements = !placements.isEmpty
        let tierQuota = declaration.tiers[tenant.tier]?.quota ?? [:]
        quota = declaration.effectiveQuota(of: tenant).sorted { $0.key < $1.key }.map { key, value in
            QuotaRow(key: key, value: value, source: tenant.quota[key] == nil ? "tier \(tenant.tier)" : tierQuota[key].map { "override (tier: \($0))" } ?? "override")
        }
        apps = tenant.apps.map { (app) -> AppRow in
            if let queue = app.queue {
                return AppRow(appName: app.name, kind: "queue worker", details: "SQS queue, target length \(queue.targetLength), up to \(queue.maxReplicas) replicas")
            }
            if let port = app.port {
                return AppRow(appName: app.name, kind: "routed service", details: "port \(port), route /\(tenant.name)/\(app.name) on the cluster gateway")
            }
            return AppRow(appName: app.name, kind: "workload", details: "")
        }
        hasApps = !apps.isEmpty
        buckets = tenant.buckets
        hasBuckets = !buckets.isEmpty
        showAudit = records != nil
        audit = (records ?? []).map(AuditRow.init)
        hasAudit = !audit.isEmpty
        auditCount = audit.count
    }
}

// MARK: Onboarding

struct FieldError {
    var errorID: String
    var text: String
}

/// One form field: what was typed, its label and hint, and the problems the loader found with it.
struct FormField {
    var id: String
    var name: String
    var label: String
    var hint: String
    var value: String
    var multiline = false
    var options: [FilterOption] = []
    var errors: [FieldError] = []
    /// Stored rather than computed: Mustache reads stored properties only.
    var invalid: Bool
    /// The hint, then each error, for `aria-describedby`.
    var describedBy: String

    init(_ name: String, _ label: String, hint: String, value: String, multiline: Bool = false, options: [FilterOption] = [], errors: [String]) {
        id = "f-" + name
        self.name = name
        self.label = label
        self.hint = hint
        self.value = value
        self.multiline = multiline
        self.options = options
        self.errors = errors.enumerated().map { FieldError(errorID: "f-\(name)-error-\($0.offset + 1)", text: $0.element) }
        invalid = !errors.isEmpty
        describedBy = (["f-\(name)-hint"] + self.errors.map(\.errorID)).joined(separator: " ")
    }
}

struct OnboardingForm {
    var name: FormField
    var tier: FormField
    var team: FormField
    var costCenter: FormField
    var owners: FormField
    var environments: FormField
    var regions: FormField
    var dataClassification: FormField
    var apps: FormField
    var buckets: FormField

    init(_ input: OnboardingInput, tiers: [String], errors: [String: [String]]) {
        name = FormField("name", "Name", hint: "A DNS label: lowercase letters, digits and '-', up to 63 characters.", value: input.name, errors: errors["name"] ?? [])
        tier = FormField("tier", "Tier", hint: "The tenant class: isolation, Pod Security and default quota.", value: input.tier,
                         options: tiers.map { FilterOption(value: $0, selected: $0 == input.tier) }, errors: errors["tier"] ?? [])
        team = FormField("team", "Team", hint: "The team that owns the tenant.", value: input.team, errors: errors["team"] ?? [])
        costCenter = FormField("costCenter", "Cost centre", hint: "For chargeback, for example CC-1042.", value: input.costCenter, errors: errors["costCenter"] ?? [])
        owners = FormField("owners", "Owners", hint: "Groups bound to the tenant's admin role, separated by commas.", value: input.owners, errors: errors["owners"] ?? [])
        environments = FormField("environments", "Environments", hint: "Where the tenant runs.", value: "",
                                 options: Environment.allCases.map { FilterOption(value: $0.rawValue, selected: input.environments.contains($0.rawValue)) },
                                 errors: errors["environments"] ?? [])
        regions = FormField("regions", "Regions (optional)", hint: "Separated by commas; empty means every region with clusters of those environments.",
                            value: input.regions, errors: errors["regions"] ?? [])
        dataClassification = FormField("dataClassification", "Data classification", hint: "pii and phi namespaces are always Pod Security restricted.",
                                       value: input.dataClassification,
                                       options: DataClassification.allCases.map { FilterOption(value: $0.rawValue, selected: $0.rawValue == input.dataClassification) },
                                       errors: errors["dataClassification"] ?? [])
        apps = FormField("apps", "Apps (optional)", hint: "One per line: a name, or name:port for a service routed on the cluster gateway.",
                         value: input.apps, multiline: true, errors: errors["apps"] ?? [])
        buckets = FormField("buckets", "Buckets (optional)", hint: "S3 bucket names, separated by commas.", value: input.buckets, errors: errors["buckets"] ?? [])
    }
}

struct ProblemLine {
    var text: String
    var hasTarget: Bool
    var target: String
}

struct OnboardPage {
    var chrome: Chrome
    var form: OnboardingForm
    var problems: [ProblemLine]
    var hasProblems: Bool
    var problemCount: String

    /// The form with `messages`: each (field, text) shown next to its field, and all of them in
    /// the summary at the top.
    init(chrome: Chrome, input: OnboardingInput, tiers: [String], messages: [(field: String?, text: String)]) {
        self.chrome = chrome
        var byField: [String: [String]] = [:]
        for message in messages { if let field = message.field { byField[field, default: []].append(message.text) } }
        form = OnboardingForm(input, tiers: tiers, errors: byField)
        problems = messages.map { ProblemLine(text: $0.text, hasTarget: $0.field != nil, target: $0.field.map { "f-" + $0 } ?? "") }
        hasProblems = !messages.isEmpty
        problemCount = messages.count == 1 ? "1 problem" : "\(messages.count) problems"
    }
}
