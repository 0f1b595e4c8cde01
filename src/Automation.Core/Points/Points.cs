namespace Automation.Core.Points;

/// <summary>How points are earned, how long they last and what they are worth at checkout (<c>Points</c> settings).</summary>
/// <param name="PerCurrencyUnit">Points per unit of net order value, rounded down.</param>
/// <param name="ExpiryMonths">Earned points lapse this many months after the order, oldest first.</param>
public sealed record PointsSettings(decimal PerCurrencyUnit = 1m, int ExpiryMonths = 12)
{
    /// <summary>For binding: the defaults, then what the <c>Points</c> section sets.</summary>
    public PointsSettings() : this(1m, 12) { }

    /// <summary>What one point is worth at checkout, in currency units (<c>Templates:DefaultCurrency</c>).</summary>
    public decimal Value { get; init; } = 0.01m;

    /// <summary>The fewest points a checkout may spend.</summary>
    public int MinimumRedemption { get; init; } = 100;

    /// <summary>The largest fraction of an order's total points may pay for.</summary>
    public decimal MaxOrderShare { get; init; } = 0.5m;

    /// <summary>How long a checkout quote may be committed.</summary>
    public int QuoteMinutes { get; init; } = 15;
}

/// <summary>What a ledger entry is.</summary>
public static class PointsKinds
{
    public const string Earn = "earn";
    public const string Award = "award";
    public const string Redeem = "redeem";
    public const string Reverse = "reverse";
    public const string Expire = "expire";
    public const string Restore = "restore";
}

/// <summary>One line of the append-only points ledger.</summary>
public sealed record PointsEntry(long Id, int Points, string Kind, string Reason, string SourceKey, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>
/// First in, first out: every deduction (redeem, reverse, expire) uses up the oldest points first, so what lapses is
/// what is left of the oldest lots once their date passes.
/// </summary>
public static class PointsExpiry
{
    /// <summary>What can be spent at <paramref name="now"/>: the ledger's sum less what has lapsed but not yet been written off.</summary>
    public static long Balance(IReadOnlyCollection<PointsEntry> entries, DateTimeOffset now) =>
        entries.Sum(e => (long)e.Points) - Lapsed(entries, now);

    /// <summary>Points of lots expired at <paramref name="now"/> that no deduction has used up yet.</summary>
    public static long Lapsed(IEnumerable<PointsEntry> entries, DateTimeOffset now) =>
        Remaining(entries).Where(l => l.Entry.ExpiresAt is { } at && at <= now).Sum(l => l.Left);

    /// <summary>The next lot to lapse after <paramref name="now"/> with points left in it, or null.</summary>
    public static (DateTimeOffset At, int Points)? Next(IEnumerable<PointsEntry> entries, DateTimeOffset now) =>
        Remaining(entries).Where(l => l.Left > 0 && l.Entry.ExpiresAt is { } at && at > now)
            .OrderBy(l => l.Entry.ExpiresAt).Select(l => ((DateTimeOffset, int)?)(l.Entry.ExpiresAt!.Value, (int)l.Left)).FirstOrDefault();

    // In 64 bits: each entry fits 32, but the sums of many need not. A lot's Left never exceeds its entry's points.
    private static List<(PointsEntry Entry, long Left)> Remaining(IEnumerable<PointsEntry> entries)
    {
        var ordered = entries.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToList();
        var lots = ordered.Where(e => e.Points > 0).Select(e => (Entry: e, Left: (long)e.Points)).ToList();
        var toUse = -ordered.Where(e => e.Points < 0).Sum(e => (long)e.Points);
        for (var i = 0; i < lots.Count && toUse > 0; i++)
        {
            var used = Math.Min(lots[i].Left, toUse);
            lots[i] = (lots[i].Entry, lots[i].Left - used);
            toUse -= used;
        }
        return lots;
    }
}
