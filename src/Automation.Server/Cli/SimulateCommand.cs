using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Server.Configuration;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Server.Tools;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation simulate --journey NAME [--journey NAME …] | --all --customer FILE --events FILE [--days N] [--start ISO] [--step PT15M]</c>:
/// runs the real engine and dispatcher on a virtual clock against a temporary database and prints the timeline, with
/// when each message would go out under the configured guardrails. Several journeys run together, so caps between them show.
/// </summary>
internal static class SimulateCommand
{
    private const string Usage = "Usage: automation simulate --journey NAME [--journey NAME …] | --all --customer FILE --events FILE [--days N] [--start ISO] [--step PT15M]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        var all = args.Contains("--all");
        var (names, rest) = JourneyNames(args.Where(a => a != "--all").ToArray());
        var builder = Host.CreateApplicationBuilder(Shorthands.Expand(rest));
        var config = builder.Configuration;
        var root = builder.Environment.ContentRootPath;
        string? Required(string key)
        {
            if (!string.IsNullOrWhiteSpace(config[key])) return config[key];
            errors.WriteLine($"error: --{key} is required. {Usage}");
            return null;
        }

        if (names.Count == 0 && !all)
        {
            errors.WriteLine($"error: --journey is required (or --all). {Usage}");
            return 2;
        }
        if (Required("customer") is not { } customerFile || Required("events") is not { } eventsFile) return 2;

        var folders = JourneyFiles.From(config, root, new QuartzCronSchedule());
        if (all) names = [.. JourneyDirectory.Load(folders.RulesFolder, folders.ReadOptions).Select(r => Path.GetFileNameWithoutExtension(r.File)).Order(StringComparer.Ordinal)];
        var journeyFiles = new List<JourneyFileResult>();
        foreach (var name in names)
        {
            var journeyFile = SimulationRunner.FindJourney(folders, name);
            if (journeyFile is null)
            {
                errors.WriteLine($"error: no journey '{name}' in {Path.GetRelativePath(root, folders.RulesFolder)}");
                return 2;
            }
            if (journeyFile.Journey is null)
            {
                foreach (var problem in journeyFile.Problems) errors.WriteLine(problem with { File = Path.GetRelativePath(root, problem.File) });
                if (!all) return 1;
                errors.WriteLine($"warning: {name} is left out: it is not valid");
                continue;
            }
            journeyFiles.Add(journeyFile);
        }

        JsonObject customer;
        List<SimulatedEvent> events;
        double days;
        DateTimeOffset start;
        TimeSpan? step;
        try
        {
            customer = ReadJson(Path.Combine(root, customerFile)) as JsonObject ?? throw new FormatException($"{customerFile}: must hold one JSON object (an identify: userId, traits)");
            events = SimulationRunner.ReadEvents(ReadJson(Path.Combine(root, eventsFile)), eventsFile);
            days = double.Parse(config["days"] ?? "7", CultureInfo.InvariantCulture);
            start = config["start"] is { } s ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime() : SimulationRunner.DefaultStart(TimeProvider.System.GetUtcNow());
            step = config["step"] is { } st ? JourneySimulation.ParseOffset(st) : null;
        }
        catch (Exception e) when (e is FormatException or IOException or JsonException)
        {
            errors.WriteLine($"error: {e.Message}");
            return 2;
        }

        try
        {
            var guardrails = config.GetSection(GuardrailsOptions.Section).Get<GuardrailsOptions>() ?? new GuardrailsOptions();
            var result = await SimulationRunner.RunAsync(folders, root, journeyFiles, customer, events, start, days, step, null, guardrails.ToSettings(), CancellationToken.None);
            foreach (var warning in result.Warnings) errors.WriteLine(warning);
            output.WriteLine(result.Heading);
            foreach (var line in result.Lines) output.WriteLine(line);
            return 0;
        }
        catch (FormatException e)
        {
            errors.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    private static JsonNode? ReadJson(string path) => SimulationRunner.ParseJson(File.ReadAllText(path), path);

    /// <summary>Every <c>--journey NAME</c> (or <c>--journey=NAME</c>, or a comma-separated list), and the other arguments.</summary>
    private static (List<string> Names, string[] Others) JourneyNames(string[] args)
    {
        var names = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string? value = null;
            if (args[i] == "--journey" && i + 1 < args.Length) value = args[++i];
            else if (args[i].StartsWith("--journey=", StringComparison.Ordinal)) value = args[i]["--journey=".Length..];
            if (value is null) rest.Add(args[i]);
            else names.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        return (names, [.. rest]);
    }
}
