using Automation.Core.Draws;
using Automation.Core.Storage;

namespace Automation.Tests.Support;

// Draw writes, each with the rule of its SQL in WriteTransaction.Draws.cs: the daily limit and stock are conditional
// upserts, the (customer, request key) pair is unique.
internal sealed partial class InMemoryTransaction
{
    public Task<DrawEntry?> FindDrawEntryAsync(long customerId, string requestKey, CancellationToken cancellationToken) =>
        Done(_tables.DrawEntries.FirstOrDefault(e => e.Start.CustomerId == customerId && e.Start.RequestKey == requestKey));

    public Task<bool> ClaimDailyEntryAsync(long customerId, string draw, string localDay, int limit, CancellationToken cancellationToken)
    {
        var key = (customerId, draw, localDay);
        var entries = _tables.DrawDailyEntries.GetValueOrDefault(key);
        // The insert makes the first row whatever the limit; an existing row is updated only below it.
        if (entries > 0 && entries >= limit) return Done(false);
        _tables = _tables with { DrawDailyEntries = _tables.DrawDailyEntries.SetItem(key, entries + 1) };
        return Done(true);
    }

    public Task<long> StartDrawEntryAsync(DrawEntryStart start, CancellationToken cancellationToken)
    {
        if (_tables.DrawEntries.Any(e => e.Start.CustomerId == start.CustomerId && e.Start.RequestKey == start.RequestKey))
            throw new InvalidOperationException($"Unique constraint failed: draw_entries (customer_id, request_key) '{start.RequestKey}'.");
        var id = _tables.DrawEntries.Count + 1L;
        _tables = _tables with { DrawEntries = _tables.DrawEntries.Add(new DrawEntry(id, start, new DrawPick("", PrizeKind.Nothing, 0, null, 0, 0, []))) };
        return Done(id);
    }

    public Task<bool> ClaimPrizeAsync(string draw, string prize, int stock, CancellationToken cancellationToken)
    {
        var given = _tables.DrawPrizesGiven.GetValueOrDefault((draw, prize));
        if (given >= stock) return Done(false);
        _tables = _tables with { DrawPrizesGiven = _tables.DrawPrizesGiven.SetItem((draw, prize), given + 1) };
        return Done(true);
    }

    public Task ReleasePrizeAsync(string draw, string prize, CancellationToken cancellationToken)
    {
        if (_tables.DrawPrizesGiven.GetValueOrDefault((draw, prize)) is var given and > 0)
            _tables = _tables with { DrawPrizesGiven = _tables.DrawPrizesGiven.SetItem((draw, prize), given - 1) };
        return Task.CompletedTask;
    }

    public Task CompleteDrawEntryAsync(long entryId, DrawPick pick, CancellationToken cancellationToken)
    {
        var entry = _tables.DrawEntries[(int)entryId - 1];
        _tables = _tables with { DrawEntries = _tables.DrawEntries.SetItem((int)entryId - 1, entry with { Pick = pick }) };
        return Task.CompletedTask;
    }
}
