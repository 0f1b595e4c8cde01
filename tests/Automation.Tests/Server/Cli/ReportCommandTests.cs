using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.Cli;

public sealed class ReportCommandTests
{
    private static Task<(int Code, string Out, string Err)> Run(TestDatabase db, params string[] args) =>
        AutomationCli.RunAsync(["report", "--Storage:Provider", db.Provider, "--Storage:ConnectionString", db.ConnectionString, .. args], clock: new FakeTimeProvider(AnalyticsDataset.AsOf));

    [Test]
    public async Task Prints_tables_and_with_json_the_documents_of_the_api()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        await AnalyticsDataset.Generate().LoadAsync(db.Storage);

        var (code, output, errors) = await Run(db, "--from", "2026-01-01", "--to", "2026-07-01", "--segment", "tag");
        errors.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain("Repurchase: anchor orders 2026-01-01 to 2026-07-01 (exclusive), again within 90 days, as of 2026-07-20 12:00Z")
            .And.Contain("Cohort retention").And.Contain("2026-03").And.Contain("Model: naive = average order value")
            .And.Contain("Shrunk toward nothing: no full-year cohort in the window")
            .And.Contain("Returning customers' share: orders completed 2026-01-01 to 2026-07-01 (exclusive)")
            .And.Contain("Attribution: messages sent 2026-01-01 to 2026-07-01 (exclusive), orders within 7 days, last touch")
            .And.Contain("no holdout");
        output.Split('\n').Should().Contain(l => l.StartsWith("newsletter ", StringComparison.Ordinal)).And.Contain(l => l.StartsWith("win-back ", StringComparison.Ordinal));

        var json = await Run(db, "--from", "2026-01-01", "--to", "2026-07-01", "--segment", "tag", "--attribution-days", "5", "--json");
        json.Code.Should().Be(0);
        var document = JsonNode.Parse(json.Out)!;
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(AnalyticsDataset.AsOf));
        using var client = factory.CreateAuthorizedClient();
        JsonNode.DeepEquals(document["repurchase"], JsonNode.Parse(await client.GetStringAsync("/v1/metrics/repurchase?from=2026-01-01&to=2026-07-01&segment=tag"))).Should().BeTrue();
        JsonNode.DeepEquals(document["attribution"], JsonNode.Parse(await client.GetStringAsync("/v1/metrics/attribution?from=2026-01-01&to=2026-07-01&within=5"))).Should().BeTrue();
    }

    [Test]
    public async Task Loyalty_is_printed_and_with_json_is_the_document_of_the_api()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        await LoyaltyWorkedExample.SeedAsync(db.Storage);
        string[] window = ["--from", "2026-01-01", "--to", "2026-02-01", "--Analytics:ReturningShareTarget", "0.5"];

        var (code, output, errors) = await Run(db, window);

        errors.Should().BeEmpty();
        code.Should().Be(0);
        // LoyaltyStoreTests works these out: 6 of 9 orders, 280 of 590 revenue; 350 points at 0.01; 30 of 350 redeemed; 2 of 4 members.
        output.Should().Contain("by customers who had ordered before; target 50.0% or more");
        output.Split('\n').Select(l => l.TrimEnd()).Should().Contain("orders           6       9  66.7%")
            .And.Contain("revenue     280.00  590.00  47.5%")
            .And.Contain(l => l.StartsWith("liability", StringComparison.Ordinal) && l.EndsWith(" 3.50", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("redemption rate (redeemed / earned)", StringComparison.Ordinal) && l.EndsWith(" 8.6%", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("members who ever redeemed", StringComparison.Ordinal) && l.EndsWith(" 2 of 4 (50.0%)", StringComparison.Ordinal));

        var json = await Run(db, [.. window, "--json"]);
        json.Code.Should().Be(0);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(AnalyticsDataset.AsOf), settings: new Dictionary<string, string> { ["Analytics:ReturningShareTarget"] = "0.5" });
        using var client = factory.CreateAuthorizedClient();
        JsonNode.DeepEquals(JsonNode.Parse(json.Out)!["loyalty"], JsonNode.Parse(await client.GetStringAsync("/v1/metrics/loyalty?from=2026-01-01&to=2026-02-01"))).Should().BeTrue();
    }

    [Test]
    public async Task Draws_are_reported_with_entries_points_and_prizes_given_against_stock_as_the_api_reports_them()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(AnalyticsDataset.AsOf));
        var draws = Directory.CreateDirectory(Path.Combine(factory.ContentRoot, "rules", "draws")).FullName;
        File.WriteAllText(Path.Combine(draws, "lucky.json"), """
            { "EntryCost": 30, "Prizes": [ { "Name": "bonus", "Kind": "points", "Points": 5, "Weight": 1, "Stock": 4 } ] }
            """);
        using var client = factory.CreateAuthorizedClient();
        (await client.PostAsJsonAsync("/v1/track", new { userId = "ann", @event = "Order Completed", properties = new { order_id = "a1", total = 100 } })).EnsureSuccessStatusCode();
        foreach (var key in new[] { "k1", "k2" })
        {
            using var entry = new HttpRequestMessage(HttpMethod.Post, "/v1/customers/ann/draws/lucky");
            entry.Headers.Add("Idempotency-Key", key);
            (await client.SendAsync(entry)).EnsureSuccessStatusCode();
        }

        var (code, output, errors) = await Run(db, "--contentRoot", factory.ContentRoot);
        errors.Should().BeEmpty();
        code.Should().Be(0);
        var lines = output.Split('\n').Select(l => l.TrimEnd()).ToList();
        lines.Should().Contain("Lucky draws: entries, points spent and won, and prizes given against stock")
            .And.Contain("draw   open  entry cost  entries  points spent  points won")
            .And.Contain("lucky  yes           30        2            60          10")
            .And.Contain("lucky  bonus  points       1      4      2     2");

        var json = await Run(db, "--contentRoot", factory.ContentRoot, "--json");
        JsonNode.DeepEquals(JsonNode.Parse(json.Out)!["draws"]![0], JsonNode.Parse(await client.GetStringAsync("/v1/draws/lucky/report"))).Should().BeTrue();
    }

    [Test]
    public async Task Bad_arguments_exit_2_naming_them()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);

        var (code, output, errors) = await Run(db, "--from", "2026-07-01", "--to", "2026-01-01", "--within", "0", "--segment", "vip");
        code.Should().Be(2);
        output.Should().BeEmpty();
        errors.Should().Contain("error: --from: must be before --to").And.Contain("error: --within: must be a whole number of days from 1 to 3650")
            .And.Contain("error: --segment: must be one of new, returning, tier, tag").And.Contain("Usage:").And.Contain("--attribution-days <DAYS>");
    }

    [Test]
    public async Task A_database_without_the_schema_is_reported_not_thrown()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);

        var (code, _, errors) = await Run(db);
        code.Should().Be(1);
        errors.Should().Contain("error: the reports cannot be read").And.Contain("automation migrate");
    }
}
