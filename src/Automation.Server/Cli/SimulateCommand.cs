using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Storage.Migrations;
using Automation.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation simulate --journey NAME --customer FILE --events FILE [--days N] [--start ISO] [--step PT15M]</c>:
/// runs the real engine on a virtual clock against a temporary database and prints the timeline.
/// </summary>
internal static class SimulateCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        var builder = Host.CreateApplicationBuilder(Shorthands.Expand(args));
        var config = builder.Configuration;
        var root = builder.Environment.ContentRootPath;
        string? Required(string key)
        {
            if (!string.IsNullOrWhiteSpace(config[key])) return config[key];
            errors.WriteLine($"error: --{key} is required. Usage: automation simulate --journey NAME --customer FILE --events FILE [--days N] [--start ISO] [--step PT15M]");
            return null;
        }

        if (Required("journey") is not { } name || Required("customer") is not { } customerFile || Required("events") is not { } eventsFile) return 2;

        var folders = JourneyFiles.From(config, root, new QuartzCronSchedule());
        var journeyFile = JourneyDirectory.Load(folders.RulesFolder, folders.ReadOptions).FirstOrDefault(f => Path.GetFileNameWithoutExtension(f.File) == name);
        if (journeyFile is null)
        {
            errors.WriteLine($"error: no journey '{name}' in {Path.GetRelativePath(root, folders.RulesFolder)}");
            return 2;
        }
        if (journeyFile.Journey is null)
        {
            foreach (var problem in journeyFile.Problems) errors.WriteLine(problem with { File = Path.GetRelativePath(root, problem.File) });
            return 1;
        }

        JsonObject customer;
        List<SimulatedEvent> events;
        double days;
        DateTimeOffset start;
        TimeSpan? step;
        try
        {
            customer = ReadJson(Path.Combine(root, customerFile)) as JsonObject ?? throw new FormatException($"{customerFile}: must hold one JSON object (an identify: userId, traits)");
            events = ReadEvents(Path.Combine(root, eventsFile), eventsFile);
            days = double.Parse(config["days"] ?? "7", CultureInfo.InvariantCulture);
            start = config["start"] is { } s ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime() : DefaultStart();
            step = config["step"] is { } st ? JourneySimulation.ParseOffset(st) : null;
        }
        catch (Exception e) when (e is FormatException or IOException or JsonException)
        {
            errors.WriteLine($"error: {e.Message}");
            return 2;
        }

        var folder = Directory.CreateTempSubdirectory("automation-simulate-");
        try
        {
            using var storage = new SqliteStorage($"Data Source={Path.Combine(folder.FullName, "simulation.db")}");
            await new SchemaMigrator(storage, TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
            var duration = TimeSpan.FromDays(days);
            // Fine steps for short runs, where hours matter; hourly for long ones.
            var tick = step ?? (duration <= TimeSpan.FromDays(3) ? TimeSpan.FromMinutes(15) : TimeSpan.FromHours(1));
            var tags = new TagCatalog();
            var tiers = new TierCatalog();
            foreach (var problem in tags.Reload(folders.TagsFile).Concat(tiers.Reload(folders.TiersFile)))
                errors.WriteLine($"warning: {problem with { File = Path.GetRelativePath(root, problem.File) }}");
            var timeline = await new JourneySimulation(storage, journeyFile, tags, tiers).RunAsync(customer, events, start, duration, tick, CancellationToken.None);
            output.WriteLine($"{name}: simulated {days.ToString(CultureInfo.InvariantCulture)} day(s) from {start:yyyy-MM-dd HH:mm}Z, a tick every {tick}");
            foreach (var entry in timeline) output.WriteLine(entry);
            if (timeline.Count == 0) output.WriteLine("(the customer never entered this journey)");
            return 0;
        }
        catch (FormatException e)
        {
            errors.WriteLine($"error: {e.Message}");
            return 2;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static DateTimeOffset DefaultStart()
    {
        var now = TimeProvider.System.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
    }

    private static JsonNode? ReadJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}:{(e.LineNumber ?? 0) + 1}: malformed JSON");
        }
    }

    /// <summary>An array of messages, each with <c>at</c> (an offset from the start) and a Segment track or identify body.</summary>
    private static List<SimulatedEvent> ReadEvents(string path, string shownAs)
    {
        if (ReadJson(path) is not JsonArray array) throw new FormatException($"{shownAs}: must hold a JSON array of events");
        var events = new List<SimulatedEvent>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject item) throw new FormatException($"{shownAs}: [{i}] must be an object");
            if (item["at"]?.ToString() is not { } at) throw new FormatException($"{shownAs}: [{i}].at is required, such as +2h");
            TimeSpan offset;
            try
            {
                offset = JourneySimulation.ParseOffset(at);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{shownAs}: [{i}].at: {e.Message}");
            }
            var message = (JsonObject)item.DeepClone();
            message.Remove("at");
            message["messageId"] ??= $"simulated-{i}";
            events.Add(new SimulatedEvent(offset, message));
        }
        return events;
    }
}
