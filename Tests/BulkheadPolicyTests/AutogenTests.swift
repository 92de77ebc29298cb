import BulkheadCEL
import BulkheadPolicy
import Testing

/// Kyverno's auto-generation: a policy for pods also validates the pod templates of pod
/// controllers.
@Suite struct AutogenTests {
    static func policy(extraSpec: String = "", match: String = "") -> String {
        """
        apiVersion: policies.kyverno.io/v1
        kind: ValidatingPolicy
        metadata:
          name: disallow-latest
        spec:
          validationActions: [Deny]
          matchConstraints:
            resourceRules:
              - apiGroups: [""]
                apiVersions: ["v1"]
                operations: ["CREATE", "UPDATE"]
                resources: ["pods"]
        \(match)
        \(extraSpec)
          validations:
            - expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
              messageExpression: "object.metadata.name + ' (' + object.metadata.?labels.?app.orValue('no app') + '): use a pinned tag'"
        """
    }

    static var bad: [String: Any] { Fixture.pod("web", labels: ["app": "shop"], image: "nginx:latest") }
    static var good: [String: Any] { Fixture.pod("web", labels: ["app": "shop"], image: "nginx:1.27") }

    func evaluate(_ yaml: String, _ object: [String: Any]) throws -> PolicyResult {
        let engine = try Fixture.engine(yaml)
        return try #require(engine.evaluate(engine.policies[0], request: try Fixture.request(object)).first)
    }

    @Test func podPolicyDefaultsToEveryPodController() throws {
        let loaded = try Fixture.load(Self.policy())
        #expect(Set(loaded.policies[0].autogen.controllers) == Set(PodController.allCases))
    }

    @Test func deploymentTemplateIsValidated() throws {
        let failing = try evaluate(Self.policy(), Fixture.deployment("shop", template: Self.bad))
        #expect(failing.outcome == .fail)
        #expect(failing.autogenController == .deployments)
        #expect(failing.denies)
        // `object.metadata.name` keeps naming the Deployment; labels come from the template.
        #expect(failing.message == "shop (shop): use a pinned tag")
        #expect(try evaluate(Self.policy(), Fixture.deployment("shop", template: Self.good)).outcome == .pass)
    }

    @Test func cronJobTemplateIsValidated() throws {
        let failing = try evaluate(Self.policy(), Fixture.cronJob("nightly", template: Self.bad))
        #expect(failing.outcome == .fail)
        #expect(failing.autogenController == .cronjobs)
        #expect(try evaluate(Self.policy(), Fixture.cronJob("nightly", template: Self.good)).outcome == .pass)
    }

    @Test func configuredControllersLimitGeneration() throws {
        let yaml = Self.policy(extraSpec: """
          autogen:
            podControllers:
              controllers: ["Deployment"]
        """)
        #expect(try evaluate(yaml, Fixture.deployment("shop", template: Self.bad)).outcome == .fail)
        let cron = try evaluate(yaml, Fixture.cronJob("nightly", template: Self.bad))
        #expect(cron.outcome == .skip)
    }

    @Test func selectorsTurnGenerationOff() throws {
        let yaml = Self.policy(match: """
            objectSelector:
              matchLabels:
                app: shop
        """)
        let loaded = try Fixture.load(yaml)
        #expect(loaded.policies[0].autogen.controllers.isEmpty)
        #expect(loaded.policies[0].autogen.disabledReason == "matchConstraints has an objectSelector")
    }

    @Test func podViewKeepsControllerNameKindAndTemplateLabels() throws {
        let yaml = """
        apiVersion: policies.kyverno.io/v1
        kind: ValidatingPolicy
        metadata:
          name: probe
        spec:
          matchConstraints:
            resourceRules:
              - apiGroups: [""]
                apiVersions: ["v1"]
                operations: ["CREATE"]
                resources: ["pods"]
          validations:
            - expression: "false"
              messageExpression: >-
                object.kind + ',' + object.metadata.name + ',' + object.metadata.labels.app + ',' +
                string(has(object.metadata.labels.owner)) + ',' + string(has(object.spec.replicas)) + ',' +
                string(size(object.spec.containers))
        """
        let result = try evaluate(yaml, Fixture.deployment("shop", template: Self.bad))
        #expect(result.message == "Deployment,shop,shop,false,false,1")
    }
}
