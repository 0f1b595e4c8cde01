using System.Text;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.Cli;

/// <summary><c>automation coupons import</c> on each database, and the coupons of <c>automation report</c>.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class CouponsCommandTests(string provider)
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private DirectoryInfo _root = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _root = Directory.CreateTempSubdirectory("automation-coupons-cli-");
        var coupons = Directory.CreateDirectory(Path.Combine(_root.FullName, "rules", "coupons")).FullName;
        File.WriteAllText(Path.Combine(coupons, "shop.json"), """{ "Name": "shop", "Value": { "AmountOff": 5, "Currency": "EUR" }, "Budget": 10, "Codes": { "Import": true } }""");
        File.WriteAllText(Path.Combine(coupons, "made-here.json"), """{ "Name": "made-here", "Value": { "PercentOff": 10 } }""");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _db.DisposeAsync();
        _root.Delete(recursive: true);
    }

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => AutomationCli.RunAsync(
        [.. args, "--contentRoot", _root.FullName, "--Storage:Provider", _db.Provider, "--Storage:ConnectionString", _db.ConnectionString],
        clock: new FakeTimeProvider(Now));

    private string Csv(string name, string text)
    {
        var path = Path.Combine(_root.FullName, name);
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        return path;
    }

    private async Task<List<string>> Codes()
    {
        await using var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<string>("SELECT code FROM coupon_codes WHERE campaign = 'shop' ORDER BY code")];
    }

    [Test]
    public async Task Imports_a_csv_with_a_header_and_quotes_then_lists_the_codes_that_existed()
    {
        var (code, output, errors) = await Run("coupons", "import", "--campaign", "shop", Csv("codes.csv", "code\r\nA-1\r\n\"B-\"\"2\"\r\nA-1\r\n\r\nC-3\r\n"));

        errors.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain("3 code(s) added to shop; 0 were in it already, 0 in other campaigns");
        (await Codes()).Should().Equal("A-1", "B-\"2", "C-3");

        await using (var connection = await _db.Storage.OpenConnectionAsync(CancellationToken.None))
            await connection.ExecuteAsync("INSERT INTO coupon_codes (code, campaign) VALUES ('X-9', 'elsewhere')");
        var again = await Run("coupons", "import", "--campaign", "shop", Csv("more.csv", "C-3\nD-4\nX-9\n"));
        again.Code.Should().Be(0);
        again.Out.Should().Contain("1 code(s) added to shop; 1 were in it already, 1 in other campaigns (left there).")
            .And.Contain("X-9: already in campaign elsewhere").And.NotContain("C-3");
        (await Codes()).Should().Equal("A-1", "B-\"2", "C-3", "D-4");
    }

    [Test]
    public async Task A_bad_file_names_each_bad_line_and_imports_nothing()
    {
        var file = Csv("bad.csv", $"GOOD-1\nhas space\nx,y\n\"open\n{new string('L', 65)}\nTAB\t\n");

        var (code, output, errors) = await Run("coupons", "import", "--campaign", "shop", file);

        code.Should().Be(1);
        output.Should().BeEmpty();
        errors.Should().Contain($"{file}:2: the code holds whitespace").And.Contain($"{file}:3: holds several fields")
            .And.Contain($"{file}:4: opens a quote").And.Contain($"{file}:5: the code is 65 characters long")
            .And.Contain($"{file}:6: the code holds whitespace (U+0009)").And.NotContain($"{file}:1:")
            .And.Contain("nothing imported");
        (await Codes()).Should().BeEmpty();
    }

    [Test]
    public async Task A_file_not_in_utf8_names_its_line()
    {
        var file = Path.Combine(_root.FullName, "latin1.csv");
        File.WriteAllBytes(file, [.. "OK-1\n"u8, (byte)'C', 0xE9, (byte)'\n']);

        var (code, _, errors) = await Run("coupons", "import", "--campaign", "shop", file);

        code.Should().Be(1);
        errors.Should().Contain($"{file}:2: is not UTF-8 text");
        (await Codes()).Should().BeEmpty();
    }

    [TestCase("nope", "error: --campaign: no campaign 'nope' is in force (rules/coupons/nope.json)")]
    [TestCase("made-here", "error: --campaign: 'made-here' generates its codes")]
    public async Task A_campaign_that_takes_no_codes_exits_1_naming_it(string campaign, string error)
    {
        var (code, _, errors) = await Run("coupons", "import", "--campaign", campaign, Csv("codes.csv", "A-1\n"));

        code.Should().Be(1);
        errors.Should().Contain(error);
    }

    [Test]
    public async Task A_broken_campaign_file_is_shown_at_file_and_line()
    {
        File.WriteAllText(Path.Combine(_root.FullName, "rules", "coupons", "broken.json"), "{\n  \"Name\": \"broken\",\n  \"Value\": { \"PercentOff\": 500 },\n  \"Codes\": { \"Import\": true }\n}");

        var (code, _, errors) = await Run("coupons", "import", "--campaign", "broken", Csv("codes.csv", "A-1\n"));

        code.Should().Be(1);
        errors.Should().MatchRegex(@"rules/coupons/broken\.json:\d+: Value\.PercentOff").And.Contain("error: --campaign: no campaign 'broken' is in force");
        (await Codes()).Should().BeEmpty();
    }

    [Test]
    public async Task A_missing_file_exits_1_and_a_missing_campaign_exits_2()
    {
        var missing = Path.Combine(_root.FullName, "missing.csv");
        var (code, _, errors) = await Run("coupons", "import", "--campaign", "shop", missing);
        code.Should().Be(1);
        errors.Should().Contain($"{missing}: cannot be read");

        (await Run("coupons", "import", Csv("codes.csv", "A-1\n"))).Code.Should().Be(2);
    }

    [Test]
    public async Task The_report_prints_the_coupons_and_with_json_the_document_of_the_api()
    {
        (await Run("coupons", "import", "--campaign", "shop", Csv("codes.csv", "A-1\nB-2\n"))).Code.Should().Be(0);

        var (code, output, errors) = await Run("report", "--from", "2026-01-01", "--to", "2026-06-01");
        errors.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain("Coupons: codes issued 2026-01-01 to 2026-06-01 (exclusive)").And.Contain("Orders naming a code no campaign issued: 0");
        output.Split(Environment.NewLine).Should().Contain(l => l.StartsWith("shop ", StringComparison.Ordinal) && l.Contains(" 2 ", StringComparison.Ordinal) && l.Contains(" 10 ", StringComparison.Ordinal),
            "the shop campaign has 2 codes left and 10 of its budget");

        var json = await Run("report", "--from", "2026-01-01", "--to", "2026-06-01", "--json");
        json.Code.Should().Be(0);
        await using var factory = new AutomationFactory(_db, new FakeTimeProvider(Now));
        Directory.CreateDirectory(Path.Combine(factory.ContentRoot, "rules"));
        CopyFolder(Path.Combine(_root.FullName, "rules", "coupons"), Path.Combine(factory.ContentRoot, "rules", "coupons"));
        using var client = factory.CreateAuthorizedClient();
        var api = JsonNode.Parse(await client.GetStringAsync("/v1/metrics/coupons?from=2026-01-01&to=2026-06-01"));
        JsonNode.DeepEquals(JsonNode.Parse(json.Out)!["coupons"], api).Should().BeTrue();
        api!["campaigns"]!.AsArray().Single(c => c!["campaign"]!.GetValue<string>() == "shop")!["codesLeft"]!.GetValue<long>().Should().Be(2);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
