using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Server.Tools;

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
        var journeyFile = SimulationRunner.FindJourney(folders, name);
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
            var result = await SimulationRunner.RunAsync(folders, root, journeyFile, customer, events, start, days, step, null, CancellationToken.None);
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
}
