import BulkheadCEL
import BulkheadKube
import BulkheadModel
import BulkheadRender
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The fleet-wide routes: clusters, the Backstage catalog, the audit trail and metrics.
extension ServiceAPI {
    func listClusters(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "list clusters")
        let clusters = try await clusterViews()
        return JSONResponse.make(.ok, Page(items: clusters, total: clusters.count, offset: 0, limit: clusters.count, next: nil), requestID: caller.requestID)
    }

    func getCluster(_ name: String, _ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "read clusters")
        guard let cluster = try await clusterViews().first(where: { $0.name == name }) else { throw APIError.notFound("no cluster '\(name)'") }
        return JSONResponse.make(.ok, cluster, requestID: caller.requestID)
    }

    /// Every cluster with its budget, used and free capacity.
    func clusterViews() async throws -> [ClusterView] {
        let declaration = try await declaration()
        let usage = Dictionary(uniqueKeysWithValues: ClusterUsage.of(declaration, lock: lock()).map { ($0.cluster, $0) })
        return declaration.clusters.compactMap { cluster in usage[cluster.name].map { ClusterView(cluster, usage: $0) } }
    }

    /// Backstage catalog entities for the clusters and the tenants the caller may read.
    func catalog(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .tenantAdmin, .viewer], to: "export the catalog")
        let declaration = try await declaration()
        let host = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        let text = CatalogExport.yaml(declaration: declaration, tenants: declaration.tenants.filter { caller.mayRead(tenant: $0.name) },
                                      lock: lock(), baseURL: "http://\(host)")
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml"
        headers[JSONResponse.requestIDHeader] = caller.requestID
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func audit(_ request: Request, _ caller: Caller) async throws -> Response {
        try require(caller, [.platformAdmin, .auditor], to: "read the audit trail")
        let query = request.uri.queryParameters
        func time(_ name: String) throws -> Date? {
            guard let text = query[Substring(name)].map(String.init) else { return nil }
            guard let date = ISO8601DateFormatter().date(from: text) else { throw APIError.badRequest("\(name) must be an RFC 3339 time such as 2026-11-01T00:00:00Z", field: name) }
            return date
        }
        let limit = try Self.integer(query["limit"].map(String.init), name: "limit", default: 1000, range: 1...10_000)
        let filter = AuditFilter(tenant: query["tenant"].map(String.init), actor: query["actor"].map(String.init),
                                 since: try time("since"), until: try time("until"), limit: limit)
        let records = try store.auditRecords(filter)
        return JSONResponse.make(.ok, Page(items: records, total: records.count, offset: 0, limit: limit, next: nil), requestID: caller.requestID)
    }

    /// `/metrics`: the fleet gauges brought up to date, then the exposition.
    func metricsResponse() async -> Response {
        if let declaration = try? await workspace.load().declaration {
            var placements: [String: Int] = [:]
            for cluster in declaration.clusters { placements[cluster.name] = 0 }
            for entries in lock().placements.values {
                for cluster in Set(entries.map(\.cluster)) { placements[cluster, default: 0] += 1 }
            }
            metrics.recordFleet(tenants: declaration.tenants.count, placements: placements)
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
}
