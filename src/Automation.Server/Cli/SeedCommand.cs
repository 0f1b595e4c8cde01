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
/// <c>automation seed --customers N [--days D] [--seed S]</c>: fills the configured database with generated shoppers
/// (<see cref="ShopperGenerator"/>) through the real ingestion — tiers, points, tags and journeys included — then runs
/// the daily RFM and tag pass once. Seeding again with the same seed adds nothing (message ids repeat).
/// </summary>
internal static class SeedCommand
{
    private const string Usage = "Usage: automation seed --customers N [--days D] [--seed S]";
    private const int CustomersPerBatch = 20;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        // Seeding is a batch job: no scheduler, no sending while it runs.
        var app = AutomationServer.Build([.. Shorthands.Expand(args), "--Scheduler:Enabled=false", "--Messaging:Dispatch=false"]);
        var config = app.Configuration;
        if (!TryRead(config["customers"], "customers", 1, 10_000_000, null, out var customers, errors)
            || !TryRead(config["days"], "days", 1, 3650, 365, out var days, errors)
            || !TryRead(config["seed"], "seed", 0, int.MaxValue, 1, out var seed, errors))
            return 2;
        var services = app.Services;
        _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
        var files = services.GetRequiredService<JourneyFiles>();
        var problems = services.GetRequiredService<JourneyCatalog>().Reload(files.RulesFolder, files.ReadOptions).Entries.SelectMany(e => e.Problems)
            .Concat(services.GetRequiredService<TagCatalog>().Reload(files.TagsFile))
            .Concat(services.GetRequiredService<TierCatalog>().Reload(files.TiersFile));
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
            await ingestion.IngestAsync(read.Messages, CancellationToken.None);
            events += read.Messages.Count;
            if ((first / CustomersPerBatch) % 500 == 499)
                output.WriteLine($"{first + CustomersPerBatch:N0} customers, {events:N0} events, {events / watch.Elapsed.TotalSeconds:N0} events/s");
        }
        var ingested = watch.Elapsed;
        var tagChanges = await services.GetRequiredService<TagRefresher>().RefreshAllAsync(CancellationToken.None);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Seeded {customers:N0} customers over {days} days: {events:N0} events in {ingested.TotalSeconds:N1} s ({events / ingested.TotalSeconds:N0} events/s); RFM and tags refreshed ({tagChanges:N0} changes) in {(watch.Elapsed - ingested).TotalSeconds:N1} s."));
        return 0;
    }

    private static bool TryRead(string? text, string name, int min, int max, int? fallback, out int value, TextWriter errors)
    {
        value = fallback ?? 0;
        if (text is null && fallback is not null) return true;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max) return true;
        errors.WriteLine($"error: --{name} must be a whole number from {min} to {max}{(text is null ? "" : $", not '{text}'")}. {Usage}");
        return false;
    }
}
