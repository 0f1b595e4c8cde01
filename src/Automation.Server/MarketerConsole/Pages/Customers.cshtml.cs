using Automation.Core.Customers;
using Automation.Core.Points;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Hosting;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>
/// Finds a customer by id, email or phone and shows the profile, tags, points with their value and the next to lapse,
/// tier progress with its perks, RFM, and the timeline of events, journey steps and messages, with the suppressions of
/// their addresses.
/// </summary>
internal sealed class CustomersModel(ICustomerStore customers, IJourneyQueries journeys, TimeProvider clock, JourneyFiles files, TierCatalog tiers,
    PointsSettings points) : PageModel
{
    /// <summary>Events shown on the timeline, newest first.</summary>
    public const int EventLimit = 100;

    private const int MatchLimit = 20;

    /// <summary>One line of the timeline: when, what kind (event, journey, step, message), what happened, and an event's fields.</summary>
    public sealed record TimelineLine(DateTimeOffset At, string Kind, string Text, string? Detail, IReadOnlyList<(string Name, string Value)>? Fields = null);

    public string? Query { get; private set; }
    public IReadOnlyList<CustomerMatch> Matches { get; private set; } = [];
    public CustomerSnapshot? Customer { get; private set; }
    public IReadOnlyList<TimelineLine> Timeline { get; private set; } = [];
    public IReadOnlyList<SuppressionView> Suppressions { get; private set; } = [];
    public LoyaltyStanding? Loyalty { get; private set; }
    public DateTimeOffset Now { get; private set; }

    /// <summary>The shop's currency (<c>Templates:DefaultCurrency</c>), in which order totals add up.</summary>
    public string Currency => files.Templates.DefaultCurrency;

    public async Task OnGetAsync(string? q, CancellationToken ct)
    {
        Query = q?.Trim();
        Now = clock.GetUtcNow();
        if (string.IsNullOrEmpty(Query)) return;
        Matches = await customers.SearchAsync(Query, MatchLimit, ct);
        if (Matches.Count != 1) return;
        var match = Matches[0];
        Customer = await customers.FindAsync(match.ExternalId ?? match.AnonymousId!, ct);
        if (Customer is null) return;
        var id = Customer.Profile.Id;
        var program = tiers.Program;
        var totals = program is null ? (OrderTotals?)null : await customers.OrderTotalsAsync(id, Now.AddDays(-program.WindowDays), Now, ct);
        Loyalty = LoyaltyStanding.Of(Customer, program, totals, points, Currency, Now);
        Suppressions = await customers.SuppressionsOfAsync(id, ct);
        var lines = new List<TimelineLine>();
        lines.AddRange((await customers.EventsOfAsync(id, EventLimit, ct)).Select(e =>
            new TimelineLine(e.OccurredAt, "event", e.Type == "track" ? e.Name ?? "track" : e.Type, null, EventFields.Of(e.Properties))));
        foreach (var instance in await journeys.InstancesOfAsync(id, ct))
        {
            lines.Add(new TimelineLine(instance.EnteredAt, "journey", $"entered {instance.Journey}", null));
            lines.AddRange(instance.Steps.Select(s => new TimelineLine(s.FiredAt, "step", $"{instance.Journey} · {s.Step} ({s.Action}){(s.Outcome is { } outcome ? $": {outcome}" : "")}", null)));
            if (instance.EndedAt is { } ended)
                lines.Add(new TimelineLine(ended, "journey", $"{instance.Status} {instance.Journey}", instance.EndReason));
        }
        lines.AddRange((await journeys.MessagesOfAsync(id, ct)).Select(m => new TimelineLine(m.SentAt ?? m.CreatedAt, "message",
            $"{m.Channel} {m.Template}{(m.Variant is null ? "" : $" [{m.Variant}]")}: {m.Status}", m.LastError)));
        Timeline = [.. lines.OrderByDescending(l => l.At)];
    }
}
