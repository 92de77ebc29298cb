import BulkheadKube
import Testing

/// Quantities and generated S3 names, read on every apply for every tenant: the fast paths for
/// plain whole numbers and byte-wise name checks give what the general rules give.
@Suite struct QuantityAndNameTests {
    @Test func wholeNumbersReadAsTheirDecimalForms() throws {
        for text in ["0", "4", "007", "100", "999999999999999"] {
            let fast = try #require(Quantity(text), "\(text)")
            #expect(fast == Quantity(text + ".0"), "\(text) and \(text).0 (read by the general path)")
        }
        #expect(Quantity("4")?.millis == 4_000)
        #expect(Quantity("100m")?.millis == 100)
        #expect(Quantity("1.5")?.millis == 1_500)
        #expect(Quantity("8Gi")?.millis == Int64(8_589_934_592_000), "8 × 1024³ units")
        #expect(Quantity("-4")?.millis == -4_000)
        for bad in ["", "4x", " 4", "4 ", "Gi"] { #expect(Quantity(bad) == nil, "\(bad)") }
    }

    @Test func bucketNamesFollowTheS3Rules() {
        #expect(Names.s3BucketNameProblem("acme-shop-assets-prod-euw1-1") == nil)
        #expect(Names.s3BucketNameProblem("a.b.c") == nil)
        #expect(Names.s3BucketNameProblem("acme..assets")?.contains("'..'") == true)
        #expect(Names.s3BucketNameProblem("xn--acme")?.contains("start with 'xn--'") == true)
        #expect(Names.s3BucketNameProblem("sthree-acme")?.contains("start with 'sthree-'") == true)
        #expect(Names.s3BucketNameProblem("acme-s3alias")?.contains("end with '-s3alias'") == true)
        #expect(Names.s3BucketNameProblem("acme.mrap")?.contains("end with '.mrap'") == true)
        #expect(Names.s3BucketNameProblem("mrap") == nil, "a name as short as a suffix is not that suffix")
        #expect(Names.s3BucketNameProblem("Acme")?.contains("'A'") == true)
        #expect(Names.s3BucketNameProblem("ab")?.contains("3 to 63") == true)
    }
}
