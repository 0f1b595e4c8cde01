using System.Globalization;
using System.Text.Json.Nodes;
using Automation.Core.Journeys;
using Automation.Core.Tags;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Automation.Server.Hosting;
using Automation.Server.Tools;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>Runs <c>automation simulate</c>'s simulation for a journey file, a customer and events, and shows its timeline.</summary>
/// <remarks>The server's tag rules and tiers are used as loaded: they are the same files, and compiling them again would take longer than the simulation.</remarks>
[ConsoleRole(ConsoleRole.Editor)]
internal sealed class SimulateModel(JourneyCatalog catalog, JourneyFiles folders, TagCatalog tags, TierCatalog tiers, IHostEnvironment environment, TimeProvider clock,
    IOptions<GuardrailsOptions> guardrails) : PageModel
{
    /// <summary>The longest simulation the page runs: a tick every hour for 90 days is 2,160 ticks, about a second.</summary>
    public const int MaxDays = 90;

    public const string DefaultCustomer = """
        { "userId": "ann", "traits": { "email": "ann@example.com", "phone": "+14155550123", "timezone": "America/Los_Angeles" } }
        """;

    public const string DefaultEvents = """
        [
          { "at": "+0h", "event": "Product Added", "properties": { "product_id": "tea", "price": 12, "quantity": 2 } },
          { "at": "+30h", "event": "Order Completed", "properties": { "order_id": "1001", "total": 24 } }
        ]
        """;

    public IReadOnlyList<string> JourneyNames { get; private set; } = [];
    public string? Journey { get; private set; }
    public string Customer { get; private set; } = DefaultCustomer;
    public string Events { get; private set; } = DefaultEvents;
    public string Days { get; private set; } = "3";
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public SimulationResult? Result { get; private set; }

    public void OnGet(string? journey)
    {
        ListJourneys();
        Journey = journey;
    }

    public async Task OnPostAsync(string? journey, string? customer, string? events, string? days, CancellationToken ct)
    {
        ListJourneys();
        Journey = journey;
        Customer = customer ?? "";
        Events = events ?? "";
        Days = days ?? "3";
        var root = environment.ContentRootPath;
        if (string.IsNullOrEmpty(journey) || SimulationRunner.FindJourney(folders, journey) is not { } file)
        {
            Errors = ["Pick a journey."];
            return;
        }
        if (file.Journey is null)
        {
            Errors = [.. file.Problems.Select(p => (p with { File = Path.GetRelativePath(root, p.File) }).ToString())];
            return;
        }
        if (!double.TryParse(Days, NumberStyles.Float, CultureInfo.InvariantCulture, out var length) || length is <= 0 or > MaxDays)
        {
            Errors = [$"days: must be a number from more than 0 to {MaxDays}"];
            return;
        }
        try
        {
            var identify = SimulationRunner.ParseJson(Customer, "customer") as JsonObject
                ?? throw new FormatException("customer: must be one JSON object (an identify: userId, traits)");
            var timeline = SimulationRunner.ReadEvents(SimulationRunner.ParseJson(Events, "events"), "events");
            Result = await SimulationRunner.RunAsync(folders, root, [file], identify, timeline, SimulationRunner.DefaultStart(clock.GetUtcNow()), length, null,
                (tags, tiers), guardrails.Value.ToSettings(), ct);
        }
        catch (FormatException e)
        {
            Errors = [e.Message];
        }
    }

    private void ListJourneys() => JourneyNames = [.. catalog.Current.Entries.Select(e => e.Name).Order(StringComparer.Ordinal)];
}
