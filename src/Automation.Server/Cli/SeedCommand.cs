using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Automation.Storage;
using Automation.Storage.Migrations;
using Microsoft.Extensions.Options;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation seed --customers N [--days D] [--seed S] [--into-live]</c>: fills a database with generated shoppers
/// (<see cref="ShopperGenerator"/>) through the real ingestion — tiers, points, tags and journeys included — then runs
/// the daily RFM and tag pass once. Seeding again with the same seed adds nothing (message ids repeat). The journeys
/// queue real messages to the generated addresses, so by default it writes into a SQLite database of its own,
/// <c>data/seed.db</c>; only <c>--into-live</c> (or <c>--Storage:…</c> settings on its command line) writes into the
/// configured one, whose server would send them.
/// </summary>
internal static class SeedCommand
{
    public const string SeedDatabase = "Data Source=data/seed.db";
    private const int CustomersPerBatch = 20;

    public static Command Create()
    {
        var customers = OptionValues.WholeNumber("--customers", "how many shoppers to generate", 1, 10_000_000);
        var days = OptionValues.WholeNumber("--days", "how many days of history, up to today", 1, 3650, 365);
        var seed = OptionValues.WholeNumber("--seed", "the random seed: the same seed makes the same shoppers", 0, int.MaxValue, 1);
        var intoLive = new Option<bool>("--into-live") { Description = $"seed the configured database, whose server would send the journeys' messages, instead of {SeedDatabase}" };
        var command = new Command("seed", "Generate shoppers through the real ingestion into a database of their own, for demos and benchmarks.")
        {
            customers, days, seed, intoLive,
        }.ReadingSettings();
        command.SetAction((result, cancellation) =>
        {
            var settings = ServerSettings.Arguments(result);
            // A database named on the command line is the user's explicit choice, like --into-live.
            var live = result.GetValue(intoLive) || settings.Any(a => a.TrimStart('-').StartsWith("Storage:", StringComparison.OrdinalIgnoreCase));
            return RunAsync(settings, live, result.GetValue(customers), result.GetValue(days), result.GetValue(seed), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellation);
        });
        return command;
    }

    private static async Task<int> RunAsync(string[] settings, bool intoLive, int customers, int days, int seed, TextWriter output, TextWriter errors, CancellationToken cancellation)
    {
        // Seeding is a batch job: no scheduler, no sending while it runs.
        settings = [.. settings, "--Scheduler:Enabled=false", "--Messaging:Dispatch=false"];
        if (!intoLive) settings = [.. settings, "--Storage:Provider=sqlite", $"--Storage:ConnectionString={SeedDatabase}"];
        var app = AutomationServer.Build(settings);
        var services = app.Services;
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var target = Describe(storage, app.Environment.ContentRootPath);
        output.WriteLine(intoLive
            ? $"Seeding the configured database, {target}: the journeys' messages to the generated addresses will be sent by a server on it."
            : $"Seeding {target}, a database of its own (--into-live seeds the configured one). Point a server or report at it with --Storage:ConnectionString=\"{SeedDatabase}\".");
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(cancellation);
        var files = services.GetRequiredService<JourneyFiles>();
        var problems = services.GetRequiredService<JourneyCatalog>().Reload(files.RulesFolder, files.ReadOptions).Entries.SelectMany(e => e.Problems)
            .Concat(services.GetRequiredService<TagCatalog>().Reload(files.RulesFolder, JourneyFiles.TagsName))
            .Concat(services.GetRequiredService<TierCatalog>().Reload(files.RulesFolder, JourneyFiles.TiersName));
        foreach (var problem in problems) errors.WriteLine($"warning: {problem}");

        var clock = services.GetRequiredService<TimeProvider>();
        // History up to midnight UTC: seeding again the same day makes the same message ids, so adds nothing.
        var generator = new ShopperGenerator(seed, new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero), days);
        var reader = services.GetRequiredService<SegmentMessageReader>();
        var ingestion = services.GetRequiredService<IngestionService>();
        var watch = Stopwatch.StartNew();
        long events = 0;
        for (var first = 0; first < customers; first += CustomersPerBatch)
        {
            var batch = new JsonArray();
            for (var i = first; i < Math.Min(customers, first + CustomersPerBatch); i++)
                foreach (var message in generator.Customer(i)) batch.Add(message);
            var read = reader.ReadBatch(Encoding.UTF8.GetBytes(new JsonObject { ["batch"] = batch }.ToJsonString()));
            if (read.Errors.Count > 0) throw new InvalidOperationException($"The generator made an invalid message: {read.Errors[0]}");
            await ingestion.IngestAsync(read.Messages, cancellation);
            events += read.Messages.Count;
            if ((first / CustomersPerBatch) % 500 == 499)
                output.WriteLine($"{first + CustomersPerBatch:N0} customers, {events:N0} events, {events / watch.Elapsed.TotalSeconds:N0} events/s");
        }
        var ingested = watch.Elapsed;
        var tagChanges = await services.GetRequiredService<TagRefresher>().RefreshAllAsync(cancellation);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Seeded {customers:N0} customers over {days} days: {events:N0} events in {ingested.TotalSeconds:N1} s ({events / ingested.TotalSeconds:N0} events/s); RFM and tags refreshed ({tagChanges:N0} changes) in {(watch.Elapsed - ingested).TotalSeconds:N1} s."));
        return 0;
    }

    /// <summary>Where the seed goes, without any password.</summary>
    private static string Describe(StorageOptions storage, string contentRoot)
    {
        if (storage.Provider == StorageOptions.Postgres)
        {
            var postgres = new Npgsql.NpgsqlConnectionStringBuilder(storage.ConnectionString);
            return $"PostgreSQL database '{postgres.Database}' on {postgres.Host}:{postgres.Port}";
        }
        var sqlite = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(Storage.Sqlite.SqliteStorage.ResolveConnectionString(storage.ConnectionString, contentRoot));
        return $"SQLite file {sqlite.DataSource}";
    }
}
