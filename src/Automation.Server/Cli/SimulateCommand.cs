using System.CommandLine;
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
    /// <summary>What to simulate, as the options gave it.</summary>
    private sealed record Request(List<string> Names, bool All, string CustomerFile, string EventsFile, double Days, DateTimeOffset? Start, TimeSpan? Step);

    public static Command Create()
    {
        var journeys = new Option<string[]>("--journey")
        {
            HelpName = "NAME", Description = "a journey to run (repeat it, or separate names with commas, to run several together)",
        };
        var all = new Option<bool>("--all") { Description = "run every valid journey together" };
        var customer = new Option<string>("--customer") { Required = true, HelpName = "FILE", Description = "the customer: a JSON identify body (userId, traits)" };
        var events = new Option<string>("--events") { Required = true, HelpName = "FILE", Description = "a JSON array of events, each with an offset (\"at\": \"+26h\")" };
        var days = new Option<double>("--days")
        {
            HelpName = "N", Description = "how many days to simulate", DefaultValueFactory = _ => 7,
            CustomParser = OptionValues.Parsed(text => double.Parse(text, CultureInfo.InvariantCulture)),
        };
        var start = new Option<DateTimeOffset?>("--start")
        {
            HelpName = "ISO", Description = "when the clock starts, in UTC unless an offset is given (default: this hour)",
            CustomParser = OptionValues.Parsed<DateTimeOffset?>(text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime()),
        };
        var step = new Option<TimeSpan?>("--step")
        {
            HelpName = "OFFSET", Description = "the clock's tick, such as PT15M or 1h (default: 15 minutes up to three days, hourly beyond)",
            CustomParser = OptionValues.Parsed<TimeSpan?>(text => JourneySimulation.ParseOffset(text)),
        };
        var command = new Command("simulate", "Replay journeys for one customer on a virtual clock against a temporary database, with when each message would go out under the configured guardrails.")
        {
            journeys, all, customer, events, days, start, step,
        }.ReadingSettings();
        command.Validators.Add(result =>
        {
            if (result.GetResult(journeys) is null && !result.GetValue(all)) result.AddError("--journey is required (or --all).");
        });
        command.SetAction((result, cancellation) => RunAsync(ServerSettings.Arguments(result),
            new Request([.. (result.GetValue(journeys) ?? []).SelectMany(j => j.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
                result.GetValue(all), result.GetRequiredValue(customer), result.GetRequiredValue(events), result.GetValue(days), result.GetValue(start), result.GetValue(step)),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(string[] settings, Request request, TextWriter output, TextWriter errors, CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        var config = builder.Configuration;
        var root = builder.Environment.ContentRootPath;
        var (names, all, customerFile, eventsFile) = (request.Names, request.All, request.CustomerFile, request.EventsFile);

        using var folders = JourneyFiles.From(config, root, new QuartzCronSchedule());
        if (all) names = [.. JourneyDirectory.Load(folders.RulesFolder, folders.ReadOptions).Select(r => Path.GetFileNameWithoutExtension(r.File)).Order(StringComparer.Ordinal)];
        var journeyFiles = new List<JourneyFileResult>();
        foreach (var name in names)
        {
            var journeyFile = SimulationRunner.FindJourney(folders, name);
            if (journeyFile is null)
            {
                errors.WriteLine($"error: no journey '{name}' in {Path.GetRelativePath(root, folders.RulesFolder.Root)}");
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
        try
        {
            customer = ReadJson(Path.Combine(root, customerFile)) as JsonObject ?? throw new FormatException($"{customerFile}: must hold one JSON object (an identify: userId, traits)");
            events = SimulationRunner.ReadEvents(ReadJson(Path.Combine(root, eventsFile)), eventsFile);
        }
        catch (Exception e) when (e is FormatException or IOException or JsonException)
        {
            errors.WriteLine($"error: {e.Message}");
            return 2;
        }

        try
        {
            var guardrails = config.GetSection(GuardrailsOptions.Section).Get<GuardrailsOptions>() ?? new GuardrailsOptions();
            var start = request.Start ?? SimulationRunner.DefaultStart(TimeProvider.System.GetUtcNow());
            var result = await SimulationRunner.RunAsync(folders, root, journeyFiles, customer, events, start, request.Days, request.Step, null, guardrails.ToSettings(), cancellation);
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
