using Automation.Core.Broadcasts;
using Automation.Core.Storage;
using Automation.Server.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>Every broadcast, newest first, with its status, audience, progress and send time; a scheduled one can be cancelled here.</summary>
internal sealed class BroadcastsModel(IBroadcastStore store, TimeProvider clock) : PageModel
{
    public IReadOnlyList<Broadcast> Broadcasts { get; private set; } = [];

    /// <summary>What the last cancel did, for the status line.</summary>
    public string? Message { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Broadcasts = await store.BroadcastsAsync(ct);

    /// <summary>Cancels broadcast <paramref name="id"/> if it has not started: the store claims the change from scheduled, as the API's cancel does.</summary>
    [ConsoleRole(ConsoleRole.Admin)]
    public async Task OnPostCancelAsync(long id, CancellationToken ct)
    {
        if (await store.CancelBroadcastAsync(id, clock.GetUtcNow(), AuditActors.Of(User), ct)) Message = $"Broadcast {id} is cancelled: nobody will get it.";
        else
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            Error = await store.BroadcastAsync(id, ct) is { } broadcast
                ? $"Broadcast {id} is {broadcast.Status}: only a scheduled broadcast can be cancelled."
                : $"No broadcast has id {id}.";
        }
        Broadcasts = await store.BroadcastsAsync(ct);
    }
}
