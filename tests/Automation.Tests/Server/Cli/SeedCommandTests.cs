using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Server.Cli;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;

namespace Automation.Tests.Server.Cli;

/// <summary><c>automation seed</c> on both databases, and the shoppers it makes.</summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class SeedCommandTests(string provider)
{
    [Test]
    public async Task Seeding_fills_the_database_through_ingestion_and_seeding_again_adds_nothing()
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        var root = Directory.CreateTempSubdirectory("automation-seed-");
        try
        {
            foreach (var folder in new[] { "rules", "templates" })
                CopyFolder(Path.Combine(ServerProcess.RepositoryRoot(), folder), Path.Combine(root.FullName, folder));
            string[] args = ["seed", "--customers", "150", "--days", "400", "--seed", "7", "--contentRoot", root.FullName,
                "--Storage:Provider", provider, "--Storage:ConnectionString", db.ConnectionString];

            var (code, output, _) = await AutomationCli.RunAsync(args);
            code.Should().Be(0);
            output.Should().MatchRegex(@"Seeded 150 customers over 400 days: [\d,]+ events");

            await using var connection = await db.Storage.OpenConnectionAsync(CancellationToken.None);
            async Task<long> Count(string sql) => await connection.ExecuteScalarAsync<long>(sql);
            (await Count("SELECT COUNT(*) FROM customers")).Should().Be(150);
            var events = await Count("SELECT COUNT(*) FROM events");
            (await Count("SELECT COUNT(*) FROM orders WHERE completed_at IS NOT NULL")).Should().BeGreaterThan(150);
            (await Count("SELECT COUNT(*) FROM customer_tiers")).Should().BeGreaterThan(100);
            (await Count("SELECT COUNT(*) FROM customer_rfm")).Should().BeGreaterThan(100, "the daily RFM pass ran once");
            (await Count("SELECT COUNT(*) FROM customer_stats WHERE order_count >= 2")).Should().BeGreaterThan(30, "regulars and loyal shoppers come back");

            (await AutomationCli.RunAsync(args)).Code.Should().Be(0);
            (await Count("SELECT COUNT(*) FROM events")).Should().Be(events, "the same seed makes the same message ids");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Test]
    public async Task By_default_seeding_writes_a_database_of_its_own_and_says_where_leaving_the_live_one_untouched()
    {
        var root = Directory.CreateTempSubdirectory("automation-seed-own-");
        try
        {
            foreach (var folder in new[] { "rules", "templates" })
                CopyFolder(Path.Combine(ServerProcess.RepositoryRoot(), folder), Path.Combine(root.FullName, folder));
            var (code, output, _) = await AutomationCli.RunAsync(["seed", "--customers", "20", "--days", "60", "--contentRoot", root.FullName]);
            code.Should().Be(0);

            var seedFile = Path.Combine(root.FullName, "data", "seed.db");
            output.Should().Contain($"Seeding SQLite file {seedFile}, a database of its own");
            File.Exists(seedFile).Should().BeTrue();
            File.Exists(Path.Combine(root.FullName, "data", "automation.db")).Should().BeFalse("the live database is not touched");
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={seedFile};Pooling=False");
            (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM customers")).Should().Be(20);

            var live = await AutomationCli.RunAsync(["seed", "--customers", "5", "--days", "30", "--contentRoot", root.FullName, "--into-live"]);
            live.Code.Should().Be(0);
            live.Out.Should().Contain($"Seeding the configured database, SQLite file {Path.Combine(root.FullName, "data", "automation.db")}")
                .And.Contain("will be sent by a server on it");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            root.Delete(recursive: true);
        }
    }

    [Test]
    public async Task A_bad_count_is_refused_with_the_usage()
    {
        var (code, _, errors) = await AutomationCli.RunAsync(["seed", "--customers", "lots"]);
        code.Should().Be(2);
        errors.Should().StartWith("error: --customers: must be a whole number from 1 to 10000000, not 'lots'.").And.Contain("--into-live");
    }

    [Test]
    public void A_shopper_comes_out_the_same_for_the_same_seed_and_in_time_order()
    {
        var end = DateTimeOffset.Parse("2026-11-01T00:00:00Z", CultureInfo.InvariantCulture);
        var once = new ShopperGenerator(3, end, 365).Customer(42).Select(m => m.ToJsonString()).ToList();
        var again = new ShopperGenerator(3, end, 365).Customer(42).Select(m => m.ToJsonString()).ToList();
        again.Should().Equal(once);
        var times = once.Select(m => DateTimeOffset.Parse(JsonNode.Parse(m)!["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture)).ToList();
        times.Should().BeInAscendingOrder().And.OnlyContain(t => t <= end && t >= end.AddDays(-365));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
