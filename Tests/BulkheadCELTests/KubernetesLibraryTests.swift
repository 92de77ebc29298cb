import BulkheadCEL
import Testing

/// The Kubernetes CEL libraries policies rely on.
@Suite struct KubernetesLibraryTests {
    @Test(arguments: [
        ("quantity('500m').isLessThan(quantity('1'))", true),
        ("quantity('1Gi').isGreaterThan(quantity('1G'))", true),
        ("quantity('1Ki') == quantity('1024')", true),
        ("quantity('1.5').isInteger()", false),
        ("quantity('2k').isInteger()", true),
        ("isQuantity('10Mi')", true),
        ("isQuantity('10 Mi')", false),
        ("quantity('100m').add(quantity('900m')) == quantity('1')", true),
        ("quantity('2').sub(1).compareTo(quantity('1000m')) == 0", true),
        ("quantity('-3').sign() == -1", true),
        ("quantity('1e3').asInteger() == 1000", true),
        ("quantity('250m').asApproximateFloat() == 0.25", true),
    ])
    func quantities(source: String, expected: Bool) throws {
        #expect(try evaluate(source) == .bool(expected))
    }

    @Test func quantityErrors() throws {
        #expect(try evaluationError("quantity('12x')") != nil)
        #expect(try evaluationError("quantity('1.5').asInteger()") != nil)
    }

    @Test func stringsExtension() throws {
        #expect(try evaluate("'a,b'.split(',')") == .list(["a", "b"]))
        #expect(try evaluate("'a,b,c'.split(',', 2)") == .list(["a", "b,c"]))
        #expect(try evaluate("'héllo'.charAt(1)") == "é")
        #expect(try evaluate("'tacocat'.indexOf('cat')") == 4)
        #expect(try evaluate("'tacocat'.lastIndexOf('a')") == 5)
        #expect(try evaluate("'TacoCat'.lowerAscii() + 'x'.upperAscii()") == "tacocatX")
        #expect(try evaluate("'a-b-c'.replace('-', '+', 1)") == "a+b-c")
        #expect(try evaluate("'tacocat'.substring(2, 4)") == "co")
        #expect(try evaluate("'  padded\\t'.trim()") == "padded")
        #expect(try evaluate("['x', 'y', 'z'].join('/')") == "x/y/z")
        #expect(try evaluate("strings.quote('say \"hi\"\\n')") == "\"say \\\"hi\\\"\\n\"")
        #expect(try evaluate("'abc'.reverse()") == "cba")
        #expect(try evaluationError("'abc'.substring(2, 1)")?.message.contains("invalid substring range") == true)
    }

    @Test func listsExtension() throws {
        #expect(try evaluate("[1, 2, 3].sum()") == 6)
        #expect(try evaluate("[1.5, 2.5].sum()") == 4.0)
        #expect(try evaluate("[3, 1, 2].min()") == 1)
        #expect(try evaluate("['b', 'c', 'a'].max()") == "c")
        #expect(try evaluate("[1, 2, 2, 5].isSorted()") == true)
        #expect(try evaluate("[2, 1].isSorted()") == false)
        #expect(try evaluate("['a', 'b', 'a'].indexOf('a')") == 0)
        #expect(try evaluate("['a', 'b', 'a'].lastIndexOf('a')") == 2)
        #expect(try evaluate("[1, 2].indexOf(3)") == -1)
        #expect(try evaluate("[1, 2, 3, 4].slice(1, 3)") == [2, 3])
        #expect(try evaluate("[[1], [2, [3]]].flatten()") == [1, 2, [3]])
        #expect(try evaluate("[3, 1, 3, 2].distinct().sort()") == [1, 2, 3])
        #expect(try evaluationError("[].min()") != nil)
    }

    @Test func regex() throws {
        #expect(try evaluate("'registry.example.com/app:v1'.matches('^registry\\\\.example\\\\.com/')") == true)
        #expect(try evaluate("'abc'.matches('^b')") == false)
        #expect(try evaluate("matches('abc', 'b')") == true)
        #expect(try evaluate("'abc 123 def 456'.find('[0-9]+')") == "123")
        #expect(try evaluate("'abc 123 def 456'.findAll('[0-9]+')") == ["123", "456"])
        #expect(try evaluate("'a1b2c3'.findAll('[0-9]', 2)") == ["1", "2"])
        #expect(try evaluate("'none'.find('[0-9]')") == "")
        // The pattern comes from a variable: compiled at evaluation time.
        #expect(try evaluate("'abc'.matches(p)", ["p": "b.$"]) == true)
        #expect(try evaluationError("'abc'.matches(p)", ["p": "("]) != nil)
    }

    @Test func urls() throws {
        #expect(try evaluate("url('https://x/y').getHost()") == "x")
        #expect(try evaluate("url('https://example.com:8443/a/b?x=1').getPort()") == "8443")
        #expect(try evaluate("url('https://example.com:8443/a/b').getHostname()") == "example.com")
        #expect(try evaluate("url('https://[::1]:80/').getHostname()") == "::1")
        #expect(try evaluate("url('https://[::1]:80/').getHost()") == "[::1]:80")
        #expect(try evaluate("url('https://example.com/a%20b').getEscapedPath()") == "/a%20b")
        #expect(try evaluate("url('http://e.com/p?k=v1&k=v2&o=x').getQuery()['k']") == ["v1", "v2"])
        #expect(try evaluate("url('/relative/path').getScheme()") == "")
        #expect(try evaluate("isURL('https://example.com')") == true)
        #expect(try evaluate("isURL('not a url')") == false)
        #expect(try evaluationError("url('example.com')") != nil)
    }

    @Test func ipAndCIDR() throws {
        #expect(try evaluate("ip('10.0.0.1').family()") == 4)
        #expect(try evaluate("ip('fd00::1').family()") == 6)
        #expect(try evaluate("cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))") == true)
        #expect(try evaluate("cidr('10.0.0.0/8').containsIP('11.0.0.1')") == false)
        #expect(try evaluate("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')") == true)
        #expect(try evaluate("cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8')") == true)
        #expect(try evaluate("cidr('10.0.0.0/8').prefixLength()") == 8)
        #expect(try evaluate("string(cidr('10.0.0.0/8').ip())") == "10.0.0.0")
        #expect(try evaluate("ip('127.0.0.1').isLoopback() && ip('0.0.0.0').isUnspecified()") == true)
        #expect(try evaluate("ip('8.8.8.8').isGlobalUnicast()") == true)
        #expect(try evaluate("string(ip('2001:DB8:0:0:0:0:0:1'))") == "2001:db8::1")
        #expect(try evaluate("isIP('10.0.0.256') || isIP('01.0.0.1')") == false)
        #expect(try evaluate("isCIDR('10.0.0.0/33')") == false)
    }

    @Test func format() throws {
        #expect(try evaluate("\"%s-%d\".format([\"a\", 1])") == "a-1")
        #expect(try evaluate("'%.2f|%e|%b|%o|%x|%X'.format([3.14159, 1500.0, 5, 8, 255, 255])") == "3.14|1.500000e+03|101|10|ff|FF")
        #expect(try evaluate("'%s'.format([[1, 'two', {'k': true}]])") == "[1, two, {k: true}]")
        #expect(try evaluate("'100%%'.format([])") == "100%")
        #expect(try evaluationError("'%d %d'.format([1])") != nil)
        #expect(try evaluationError("'%d'.format(['x'])") != nil)
    }
}
