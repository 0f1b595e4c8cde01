using System.Globalization;
using Automation.Core.Broadcasts;
using Automation.Core.Ingestion;
using Automation.Core.Storage;
using Automation.Server.Analytics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>
/// One broadcast: what it sends to whom and when, its progress, and its results — messages by outcome and, once it
/// has started and has conversions, each arm's conversion rate with the holdout's lift.
/// </summary>
internal sealed class BroadcastModel(IBroadcastStore store, IAnalyticsStore analytics, TimeProvider clock) : PageModel
{
    public Broadcast? Broadcast { get; private set; }
    public BroadcastFigures? Figures { get; private set; }
    public int WithinDays { get; private set; }
    public IReadOnlyList<FieldError> Errors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id, string? within, CancellationToken ct)
    {
        if (ReportParameters.Days(within, ReportParameters.DefaultAttributionDays, "within", out var days) is { } error)
        {
            Errors = [error];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        WithinDays = days;
        if (await store.BroadcastAsync(id, ct) is not { } broadcast) return NotFound();
        Broadcast = broadcast;
        Figures = await BroadcastFigures.ReadAsync(broadcast, days, store, analytics, clock.GetUtcNow(), ct);
        return Page();
    }

    /// <summary>When members get it: a time, a local time in each member's zone, or a pre-sale's openings.</summary>
    public static string SendTime(Broadcast b) =>
        b.Presale is { } sale ? $"as pre-sale {sale} opens to each tier"
        : b.LocalTime is { } local ? $"{local} in each customer's zone"
        : b.SendAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(double? rate) => rate is { } r ? r.ToString("P1", CultureInfo.InvariantCulture) : "—";

    public static string Time(DateTimeOffset? t) => t?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "—";
}
