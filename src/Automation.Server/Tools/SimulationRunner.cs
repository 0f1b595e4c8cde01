using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Cli;
using Automation.Server.Hosting;
using Automation.Storage.Migrations;
using Automation.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Automation.Server.Tools;

/// <summary>What a simulation printed: its heading, the timeline's lines and warnings about the tag or tier files.</summary>
public sealed record SimulationResult(string Heading, IReadOnlyList<string> Lines, IReadOnlyList<string> Warnings);

/// <summary>
/// Runs <see cref="JourneySimulation"/> against a throwaway SQLite database and describes the result; shared by
/// <c>automation simulate</c> and the console's simulate page.
/// </summary>
internal static class SimulationRunner
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _template;

    /// <summary>The journey file named <paramref name="name"/> in the rules folder, read now (valid or not); null when there is none.</summary>
    public static JourneyFileResult? FindJourney(JourneyFiles folders, string name) => JourneyDirectory.LoadOne(folders.RulesFolder, name, folders.ReadOptions);

    /// <summary>
    /// Reads an array of messages, each with <c>at</c> (an offset from the start) and a Segment track or identify body;
    /// errors name <paramref name="shownAs"/> and the item.
    /// </summary>
    public static List<SimulatedEvent> ReadEvents(JsonNode? json, string shownAs)
    {
        if (json is not JsonArray array) throw new FormatException($"{shownAs}: must hold a JSON array of events");
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

    /// <summary>Parses JSON text, naming <paramref name="shownAs"/> and the line when it is malformed.</summary>
    public static JsonNode? ParseJson(string text, string shownAs)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{shownAs}:{(e.LineNumber ?? 0) + 1}: malformed JSON");
        }
    }

    /// <summary>The hour that has begun: where a simulation starts unless told otherwise.</summary>
    public static DateTimeOffset DefaultStart(DateTimeOffset now) => new(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// An empty database with the schema, made once per process and copied for each simulation: migrating takes most
    /// of a short simulation's time (a transaction and a sync per migration), copying a file almost none.
    /// </summary>
    private static async Task<string> MigratedTemplateAsync(CancellationToken ct)
    {
        await TemplateLock.WaitAsync(ct);
        try
        {
            if (_template is { } ready && File.Exists(ready)) return ready;
            var file = Path.Combine(Directory.CreateTempSubdirectory("automation-simulate-schema-").FullName, "schema.db");
            // Disposing closes the connections, which checkpoints the write-ahead log into the file itself.
            using (var storage = new SqliteStorage($"Data Source={file}"))
                await new SchemaMigrator(storage, TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct);
            return _template = file;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    /// <summary>
    /// Simulates valid journey files together for <paramref name="days"/> from <paramref name="start"/>, with the
    /// dispatcher applying <paramref name="guardrails"/>; throws <see cref="FormatException"/> on a bad event.
    /// </summary>
    /// <param name="step">The tick; by default 15 minutes up to three days, where hours matter, and hourly beyond.</param>
    /// <param name="loaded">
    /// Tag rules and tiers already loaded from the same folder, as the server keeps them; null to read the files now
    /// (compiling the tag rules takes a good part of a short simulation), with warnings for their problems.
    /// </param>
    public static async Task<SimulationResult> RunAsync(JourneyFiles folders, string contentRoot, IReadOnlyList<JourneyFileResult> journeyFiles, JsonObject customer,
        IReadOnlyList<SimulatedEvent> events, DateTimeOffset start, double days, TimeSpan? step, (TagCatalog Tags, TierCatalog Tiers)? loaded,
        GuardrailSettings guardrails, CancellationToken ct)
    {
        var name = string.Join(", ", journeyFiles.Select(f => Path.GetFileNameWithoutExtension(f.File)));
        var folder = Directory.CreateTempSubdirectory("automation-simulate-");
        try
        {
            var database = Path.Combine(folder.FullName, "simulation.db");
            File.Copy(await MigratedTemplateAsync(ct), database);
            using var storage = new SqliteStorage($"Data Source={database}");
            var duration = TimeSpan.FromDays(days);
            var tick = step ?? (duration <= TimeSpan.FromDays(3) ? TimeSpan.FromMinutes(15) : TimeSpan.FromHours(1));
            var (tags, tiers) = loaded ?? (new TagCatalog(folders.ReadOptions.Limits), new TierCatalog());
            var warnings = loaded is not null ? [] : tags.Reload(folders.RulesFolder, JourneyFiles.TagsName).Concat(tiers.Reload(folders.RulesFolder, JourneyFiles.TiersName))
                .Select(p => $"warning: {p with { File = Path.GetRelativePath(contentRoot, p.File) }}").ToList();
            var delivery = new SimulatedDelivery(folders.CreateTemplates(), guardrails, folders.Templates.DefaultCurrency);
            var timeline = await new JourneySimulation(storage, journeyFiles, tags, tiers, folders.Coupons, delivery).RunAsync(customer, events, start, duration, tick, ct);
            var lines = timeline.Select(t => t.ToString()).ToList();
            if (lines.Count == 0) lines.Add(journeyFiles.Count == 1 ? "(the customer never entered this journey)" : "(the customer never entered these journeys)");
            return new SimulationResult($"{name}: simulated {days.ToString(CultureInfo.InvariantCulture)} day(s) from {start:yyyy-MM-dd HH:mm}Z, a tick every {tick}",
                lines, warnings);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
