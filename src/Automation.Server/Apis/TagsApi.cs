using Automation.Core.Journeys;
using Automation.Core.Storage;
using Automation.Core.Tags;
using Automation.Server.Http;

namespace Automation.Server.Apis;

/// <summary>Manual tags: <c>POST /v1/customers/{id}/tags</c> <c>{ "tag": "vip" }</c> and <c>DELETE /v1/customers/{id}/tags/{tag}</c>.</summary>
internal static class TagsApi
{
    public sealed record TagRequest(string? Tag);

    public static ApiRoutes MapTagsApi(this ApiRoutes v1)
    {
        v1.Admin.MapPost("/customers/{id}/tags", async (string id, TagRequest? body, ICustomerStore customers, IIngestionStore store, JourneyEngine journeys, TimeProvider clock, CancellationToken ct) =>
            string.IsNullOrWhiteSpace(body?.Tag) || body.Tag.Length > 100
                ? ValidationProblem.For("tag", "is required, at most 100 characters")
                : await SetAsync(id, body.Tag.Trim(), add: true, customers, store, journeys, clock, ct));
        v1.Admin.MapDelete("/customers/{id}/tags/{tag}", (string id, string tag, ICustomerStore customers, IIngestionStore store, JourneyEngine journeys, TimeProvider clock, CancellationToken ct) =>
            SetAsync(id, tag, add: false, customers, store, journeys, clock, ct));
        return v1;
    }

    // The tag, its Tag Added/Removed event and the journeys that event enters: one transaction.
    private static async Task<IResult> SetAsync(string id, string tag, bool add, ICustomerStore customers, IIngestionStore store, JourneyEngine journeys, TimeProvider clock, CancellationToken ct)
    {
        if (await customers.FindAsync(id, ct) is not { } customer)
            return NotFoundProblem.Customer(id);
        var now = clock.GetUtcNow();
        await using var tx = await store.BeginAsync(ct);
        var events = await TagEngine.SetManualAsync(tx, customer.Profile.Id, tag, add, now, ct);
        await journeys.OnEventsAsync(tx, events, now, ct);
        await tx.CommitAsync(ct);
        return add ? Results.Ok(new { tag, added = events.Count > 0 }) : Results.NoContent();
    }
}
