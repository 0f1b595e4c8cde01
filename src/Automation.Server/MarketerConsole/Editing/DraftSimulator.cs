using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Automation.Server.Hosting;
using Automation.Server.MarketerConsole.Pages;
using Automation.Server.Tools;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole.Editing;

/// <summary>A draft journey's simulated timeline, or why it could not run (file:line problems, a bad event).</summary>
public sealed record DraftSimulation(IReadOnlyList<string> Errors, SimulationResult? Result);

/// <summary>
/// Simulates a journey draft for a customer as the Simulate page does (<see cref="SimulationRunner"/>): the real engine
/// on a virtual clock and a throwaway database, reading the draft in place of the journey's file.
/// </summary>
internal sealed class DraftSimulator(JourneyFiles folders, TagCatalog tags, TierCatalog tiers, ICustomerStore customers, IHostEnvironment environment,
    TimeProvider clock, IOptions<GuardrailsOptions> guardrails)
{
    public async Task<DraftSimulation> SimulateAsync(EditableFile file, string content, string? customerTerm, string? events, string? days, CancellationToken ct)
    {
        if (file.Kind != EditableKind.Journey) return new DraftSimulation(["Only a journey is simulated; preview a template."], null);
        var length = 3d;
        if (!string.IsNullOrWhiteSpace(days) && (!double.TryParse(days, NumberStyles.Float, CultureInfo.InvariantCulture, out length) || length is <= 0 or > SimulateModel.MaxDays))
            return new DraftSimulation([$"days: must be a number from more than 0 to {SimulateModel.MaxDays}"], null);
        var now = clock.GetUtcNow();
        using var draft = folders.WithDraft(file.FullPath, content, now);
        var journey = JourneyDirectory.LoadOne(draft.RulesFolder, file.Name, draft.ReadOptions);
        if (journey?.Journey is null)
            return new DraftSimulation([.. (journey?.Problems ?? []).Select(p => (p with { File = Path.GetRelativePath(environment.ContentRootPath, p.File) }).ToString())], null);
        try
        {
            var identify = await IdentifyAsync(customerTerm?.Trim(), ct);
            if (identify is null) return new DraftSimulation([$"No customer has the id or email '{customerTerm!.Trim()}'."], null);
            var timeline = SimulationRunner.ReadEvents(SimulationRunner.ParseJson(string.IsNullOrWhiteSpace(events) ? SimulateModel.DefaultEvents : events, "events"), "events");
            var result = await SimulationRunner.RunAsync(draft, environment.ContentRootPath, [journey], identify, timeline, SimulationRunner.DefaultStart(now), length,
                null, (tags, tiers), guardrails.Value.ToSettings(), ct);
            return new DraftSimulation([], result);
        }
        catch (FormatException e)
        {
            return new DraftSimulation([e.Message], null);
        }
    }

    /// <summary>An identify body as typed, a stored customer's, or the Simulate page's sample; null when no customer matches.</summary>
    private async Task<JsonObject?> IdentifyAsync(string? term, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(term)) return (JsonObject)JsonNode.Parse(SimulateModel.DefaultCustomer)!;
        if (term.StartsWith('{'))
            return SimulationRunner.ParseJson(term, "customer") as JsonObject ?? throw new FormatException("customer: must be one JSON object (an identify: userId, traits)");
        return await DraftCustomers.FindAsync(customers, term, ct) is { } stored ? DraftCustomers.Identify(stored.Profile) : null;
    }
}
