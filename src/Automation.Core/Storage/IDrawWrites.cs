using Automation.Core.Draws;

namespace Automation.Core.Storage;

/// <summary>
/// Points lucky draws inside the caller's transaction: the audit row of each entry, and the daily limit and prize stock,
/// each claimed in the statement that takes it so concurrent entries on any node never pass them.
/// </summary>
public interface IDrawWrites
{
    /// <summary>The customer's entry made with this request key, in whichever draw, or null.</summary>
    Task<DrawEntry?> FindDrawEntryAsync(long customerId, string requestKey, CancellationToken cancellationToken);

    /// <summary>Takes one of the customer's entries of the local day; false when <paramref name="limit"/> were taken already.</summary>
    Task<bool> ClaimDailyEntryAsync(long customerId, string draw, string localDay, int limit, CancellationToken cancellationToken);

    /// <summary>Writes the entry's row, prize to follow in the same transaction; returns its id. The (customer, key) pair is unique.</summary>
    Task<long> StartDrawEntryAsync(DrawEntryStart start, CancellationToken cancellationToken);

    /// <summary>Takes one of the prize's <paramref name="stock"/>; false when all were given.</summary>
    Task<bool> ClaimPrizeAsync(string draw, string prize, int stock, CancellationToken cancellationToken);

    /// <summary>Gives back a prize taken by <see cref="ClaimPrizeAsync"/> in this transaction that could not be handed over.</summary>
    Task ReleasePrizeAsync(string draw, string prize, CancellationToken cancellationToken);

    /// <summary>Records the prize an entry won.</summary>
    Task CompleteDrawEntryAsync(long entryId, DrawPick pick, CancellationToken cancellationToken);
}

/// <summary>What is known of an entry before its prize is picked.</summary>
/// <param name="LocalDay">The customer's local day of the entry, yyyy-MM-dd, which the daily limit counts.</param>
public sealed record DrawEntryStart(string Draw, long CustomerId, string RequestKey, DateTimeOffset EnteredAt, string LocalDay, int PointsSpent);

/// <summary>
/// The prize an entry won and how: <paramref name="RandomValue"/> in [0, <paramref name="RandomRange"/>) picked it among
/// the draw's prizes in file order, less those in <paramref name="OutOfStock"/> (found out of stock by earlier picks of
/// this entry), so an auditor can repeat the pick.
/// </summary>
public sealed record DrawPick(string Prize, PrizeKind Kind, int PointsWon, string? CouponCode, int RandomValue, int RandomRange, IReadOnlyList<string> OutOfStock);

/// <summary>One entry of a draw, as recorded for audit.</summary>
public sealed record DrawEntry(long Id, DrawEntryStart Start, DrawPick Pick);

/// <summary>A draw's audit rows and figures, read outside any transaction for the API and <c>automation report</c>.</summary>
public interface IDrawQueries
{
    /// <summary>Per draw (or only <paramref name="draw"/>) and prize: entries that won it, the points they spent and the points they won.</summary>
    Task<IReadOnlyList<DrawPrizeTally>> DrawTalliesAsync(string? draw, CancellationToken cancellationToken);

    /// <summary>A draw's entries, newest first, with ids below <paramref name="beforeId"/> when given.</summary>
    Task<IReadOnlyList<DrawEntryLine>> DrawEntriesAsync(string draw, long? beforeId, int limit, CancellationToken cancellationToken);
}

/// <summary>Entries of a draw that won one prize.</summary>
public sealed record DrawPrizeTally(string Draw, string Prize, long Entries, long PointsSpent, long PointsWon);

/// <summary>An entry with the customer's id as the shop knows it (user id, else anonymous id).</summary>
public sealed record DrawEntryLine(string Customer, DrawEntry Entry);
