import Crypto
public import Foundation
import SwiftASN1
import X509

/// A certificate authority and a serving certificate for the webhook, made with swift-certificates:
/// ECDSA P-256 keys, the serving certificate valid for the Service's DNS names (and localhost,
/// for tests and port-forwards) and signed by the CA whose PEM goes into the
/// ValidatingWebhookConfiguration's `caBundle`.
public struct WebhookCertificates: Sendable {
    /// PEM text of each part.
    public var caCertificate: String
    public var caPrivateKey: String
    public var servingCertificate: String
    public var servingPrivateKey: String

    /// The DNS names the API server uses to reach `service` in `namespace`.
    public static func serviceNames(service: String, namespace: String) -> [String] {
        ["\(service).\(namespace).svc", "\(service).\(namespace).svc.cluster.local", "\(service).\(namespace)", service]
    }

    /// A new CA and a serving certificate for `dnsNames` (plus localhost and 127.0.0.1), both
    /// valid from a minute before `now` for `days`.
    public static func generate(dnsNames: [String], days: Int, now: Date = Date()) throws -> WebhookCertificates {
        let notBefore = now.addingTimeInterval(-60)
        let notAfter = now.addingTimeInterval(Double(days) * 86_400)

        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("Bulkhead")
            CommonName("bulkhead-webhook-ca")
        }
        let caPublicKey = Certificate.PublicKey(caKey.publicKey)
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caPublicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: caPublicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        let servingKey = P256.Signing.PrivateKey()
        let servingPublicKey = Certificate.PublicKey(servingKey.publicKey)
        let servingName = try DistinguishedName {
            OrganizationName("Bulkhead")
            CommonName(dnsNames.first ?? "localhost")
        }
        let names = (dnsNames + ["localhost"]).map(GeneralName.dnsName) + [GeneralName.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]
        let serving = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: servingPublicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName, subject: servingName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: caPublicKey).keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        return WebhookCertificates(
            caCertificate: try ca.serializeAsPEM().pemString, caPrivateKey: caKey.pemRepresentation,
            servingCertificate: try serving.serializeAsPEM().pemString, servingPrivateKey: servingKey.pemRepresentation)
    }

    /// The files `write(to:)` creates, by name.
    public static let fileNames = (caCertificate: "ca.crt", caPrivateKey: "ca.key", servingCertificate: "tls.crt", servingPrivateKey: "tls.key")

    /// Writes `ca.crt`, `ca.key`, `tls.crt` and `tls.key` into `folder` (created if missing),
    /// private keys created readable by the owner only. Refuses to overwrite existing files.
    public func write(to folder: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let files: [(String, String, mode_t)] = [
            (Self.fileNames.caCertificate, caCertificate, 0o644), (Self.fileNames.caPrivateKey, caPrivateKey, 0o600),
            (Self.fileNames.servingCertificate, servingCertificate, 0o644), (Self.fileNames.servingPrivateKey, servingPrivateKey, 0o600),
        ]
        for (name, _, _) in files where manager.fileExists(atPath: folder.appendingPathComponent(name).path) {
            throw CocoaError(.fileWriteFileExists, userInfo: [NSFilePathErrorKey: folder.appendingPathComponent(name).path])
        }
        for (name, text, mode) in files {
            let path = folder.appendingPathComponent(name).path
            // O_EXCL: never replace a file that appeared meanwhile; the mode applies from creation.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
            guard descriptor >= 0 else {
                throw CocoaError(errno == EEXIST ? .fileWriteFileExists : .fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            defer { close(descriptor) }
            let bytes = Array(text.utf8)
            guard bytes.withUnsafeBytes({ Foundation.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
    }

    /// The CA certificate as the base64 `caBundle` of a webhook configuration.
    public var caBundle: String { Data(caCertificate.utf8).base64EncodedString() }
}
